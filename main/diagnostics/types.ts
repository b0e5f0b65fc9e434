import type { ClientConfig, TurnCredentials } from '../../common/contract/index.js';
import type { DatagramChannel, StreamChannel } from './channels.js';
import type { ProxyServer } from './proxy.js';
import type { AdapterAddress } from './vpn.js';

/** What the checks run against: the provisioned configuration of one agent. */
export interface DiagnosticsConfig {
  client: ClientConfig;
  turn: TurnCredentials;
  /** Where media goes; defaults to the host of the SIP WebSocket URL. */
  mediaGateway?: string;
}

export interface TimedConnect {
  connectMs: number;
  tlsMs: number | null;
}

export interface HandshakeResult {
  status: number;
  /** The Sec-WebSocket-Protocol the server chose, null if none. */
  protocol: string | null;
  ms: number;
}

/**
 * Every OS fact and every socket the checks use. `defaultProbes()` implements it for Node; the
 * Electron shell swaps `resolveProxy` for Chromium's resolver; unit tests pass fakes.
 */
export interface Probes {
  platform: NodeJS.Platform;
  /** Wall clock in ms (fractional). */
  now(): number;
  lookup(host: string): Promise<string[]>;
  adapters(): Promise<AdapterAddress[]>;
  /** The source address the kernel picks for `address` (UDP connect; sends nothing). */
  egressSource(address: string, port: number): Promise<string>;
  /** The OS routing table's answer for `address`, when the OS has a way to ask (else null). */
  route(address: string): Promise<{ device: string; gateway: string | null } | null>;
  openDatagram(): Promise<DatagramChannel>;
  openStream(host: string, port: number, tls: boolean): Promise<StreamChannel>;
  connect(host: string, port: number, tls: boolean): Promise<TimedConnect>;
  webSocketHandshake(url: string, protocol: string, proxy: ProxyServer | null): Promise<HandshakeResult>;
  /** PAC-style answer: "DIRECT", "PROXY host:port", … */
  resolveProxy(url: string): Promise<string>;
  /** Windows: whether a QoS policy marks this app's traffic. Null where the OS has no such thing. */
  qosPolicy(): Promise<{ present: boolean; detail: string } | null>;
}

export type { ProgressListener, StepOutcome, Verdict } from '../../common/diagnostics/step.js';
/** A finished native run (the shared runner's result). */
export type { RunResult as Report } from '../../common/diagnostics/step.js';
