import type { KamailioConfigInput } from '../../../../backend/config/kamailio.js';

/** A complete Kamailio generator input for a stack at port base 20000; tests override fields. */
export const KAMAILIO_INPUT: KamailioConfigInput = {
  listen: '127.0.0.1',
  sipUdpPort: 20000,
  sipWsPort: 20001,
  realm: 'clearline',
  dbUrl: 'sqlite:///var/lib/clearline/clearline.db',
  stateDbFile: '../kamailio.db',
  rtpengineSockets: ['udp:127.0.0.1:20030'],
  trunk: { address: '127.0.0.1', port: 20040 },
  auditUrl: 'http://127.0.0.1:20010/internal/sip-events',
  auditToken: 'token-token-token-token',
  nonceSecret: 'nonce-secret',
  ctlSocket: '/var/lib/clearline/run/kamailio_ctl',
  mediaTimeout: { address: '127.0.0.1', port: 20004, rtpengineHosts: ['127.0.0.1'] },
  wsAllowedOrigins: ['http://127.0.0.1:20010', 'app://clearline'],
};
