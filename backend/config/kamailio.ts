/**
 * Kamailio configuration generator (pure: inputs in, config text out).
 *
 * One Kamailio node: SIP over WebSocket (and WSS with a certificate) toward agents, plain SIP/UDP
 * toward the trunk, in-memory registrar, digest authentication against the control plane's
 * `agents` table (HA1 column, read through db_sqlite or db_postgres), rtpengine per leg (WebRTC
 * flags toward browsers, plain RTP toward the trunk), a WebSocket Origin allow-list, and every
 * REGISTER/INVITE/CANCEL/BYE outcome queued in shared memory and delivered to the control plane's
 * audit endpoint by a timer process (at-least-once: SIP handling never waits on it).
 */

import { kamailioOriginCondition, wsOriginAllowList } from './ws-origins.js';

export interface SipTrunk {
  /** Address and port the trunk sends from; INVITEs from exactly here skip digest auth. */
  readonly address: string;
  readonly port: number;
}

export interface KamailioConfigInput {
  readonly listen: string;
  readonly sipUdpPort: number;
  readonly sipWsPort: number;
  /** Present when a certificate was given: enables WSS on this port. */
  readonly wss?: { readonly port: number; readonly tlsConfigFile: string };
  /** Digest realm. Kept independent of the listen address so stored HA1 values survive --listen. */
  readonly realm: string;
  /** `sqlite:///abs/path.db` or `postgres://user:pass@host/db`. */
  readonly dbUrl: string;
  /** rtpengine ng control sockets, e.g. `udp:127.0.0.1:20030`; several = a load-balanced set. */
  readonly rtpengineSockets: readonly string[];
  /** Where numbers are routed; null when no trunk is configured (numbers then get 503). */
  readonly trunk: SipTrunk | null;
  /** Extra trunk source addresses accepted without digest (besides `trunk`). */
  readonly trustedTrunks?: readonly SipTrunk[];
  /** Control plane endpoint that stores audit events; it must answer 200 only once stored. */
  readonly auditUrl: string;
  readonly auditToken: string;
  /** Shared nonce secret: nodes behind one DNS name must share it so nonces validate anywhere. */
  readonly nonceSecret: string;
  /**
   * Browser origins allowed to open a SIP WebSocket (scheme://host[:port]). An upgrade carrying any
   * other Origin gets 403; one without an Origin (native SIP clients) is allowed: digest protects it.
   */
  readonly wsAllowedOrigins: readonly string[];
  /** Audit events held while the control plane is unreachable; beyond it the oldest are dropped. */
  readonly auditQueueSize?: number;
}

export const DEFAULT_AUDIT_QUEUE_SIZE = 10_000;
/** How often the audit timer process drains the queue, and at most how many events per round. */
export const AUDIT_DRAIN_INTERVAL_MS = 50;
export const AUDIT_DRAIN_BATCH = 90;

/** Where Debian installs Kamailio's modules (preflight checks the separately packaged ones here). */
export const KAMAILIO_MODULE_DIR = '/usr/lib/x86_64-linux-gnu/kamailio/modules';

/** Failed digest attempts (per source address + username) before Kamailio stops checking. */
export const MAX_AUTH_FAILURES = 10;

/** rtpengine flags per leg (measured in LAB-NOTES): the flags describe the leg the SDP goes to. */
export const RTPENGINE_FLAGS = {
  common: 'replace-origin replace-session-connection',
  toWebrtcOffer: 'ICE=force transport-protocol=UDP/TLS/RTP/SAVPF SDES-off rtcp-mux-offer generate-mid',
  toWebrtcAnswer: 'ICE=force transport-protocol=UDP/TLS/RTP/SAVPF SDES-off rtcp-mux-require',
  toPlain: 'ICE=remove RTP/AVP DTLS=off SDES-off rtcp-mux-demux',
} as const;

function assertSafe(name: string, value: string): void {
  // Values land inside double-quoted cfg strings; a quote, backslash or newline would break out.
  if (/["\\\r\n]/.test(value)) throw new Error(`kamailio config: ${name} must not contain quotes, backslashes or newlines`);
}

function sqliteFileOf(dbUrl: string): string | null {
  return dbUrl.startsWith('sqlite://') ? dbUrl.slice('sqlite://'.length) : null;
}

export function renderKamailioConfig(input: KamailioConfigInput): string {
  for (const [k, v] of Object.entries({
    listen: input.listen,
    realm: input.realm,
    dbUrl: input.dbUrl,
    auditUrl: input.auditUrl,
    auditToken: input.auditToken,
    nonceSecret: input.nonceSecret,
  })) {
    assertSafe(k, v);
  }
  if (input.rtpengineSockets.length === 0) throw new Error('kamailio config: at least one rtpengine socket is required');
  for (const s of input.rtpengineSockets) assertSafe('rtpengineSockets', s);
  if (input.wss) assertSafe('wss.tlsConfigFile', input.wss.tlsConfigFile);
  const originTest = kamailioOriginCondition(wsOriginAllowList(input.wsAllowedOrigins, 'wsAllowedOrigins'));
  const auditQueueSize = input.auditQueueSize ?? DEFAULT_AUDIT_QUEUE_SIZE;
  if (!Number.isInteger(auditQueueSize) || auditQueueSize < 1 || auditQueueSize > 1_000_000) {
    throw new Error(`kamailio config: auditQueueSize must be an integer from 1 to 1000000 (got ${auditQueueSize})`);
  }

  const { listen, sipUdpPort, sipWsPort, wss } = input;
  const trunks = [...(input.trunk ? [input.trunk] : []), ...(input.trustedTrunks ?? [])];
  const sqliteFile = sqliteFileOf(input.dbUrl);
  const dbModule = sqliteFile ? 'db_sqlite.so' : 'db_postgres.so';
  // Kamailio's db_sqlite drops one more slash than a file URL does: an absolute path needs four.
  const kamailioDbUrl = sqliteFile ? `sqlite:///${sqliteFile}` : input.dbUrl;
  const wsPorts = [sipWsPort, ...(wss ? [wss.port] : [])];
  const flags = RTPENGINE_FLAGS;
  const trunkTest = trunks.map((t) => `($si == "${t.address}" && $sp == ${t.port})`).join(' || ');

  return `#!KAMAILIO
# Generated by backend/config/kamailio.ts — do not edit; regenerate instead.

#!define FLT_SRC_WEBRTC 5
#!define FLT_DST_WEBRTC 6
#!define FLT_FROM_TRUNK 7
#!define FLT_IN_DIALOG 8

debug=2
log_stderror=yes
log_prefix="{$mt $hdr(CSeq) $ci} "
fork=yes
children=2
tcp_children=2
auto_aliases=no
listen=udp:${listen}:${sipUdpPort}
listen=tcp:${listen}:${sipWsPort}
${wss ? `listen=tls:${listen}:${wss.port}\nenable_tls=yes` : 'enable_tls=no'}
# Aliases always carry a port: every UA on this host shares the address (LAB-NOTES pitfall).
alias="${listen}:${sipUdpPort}"
alias="${listen}:${sipWsPort}"
${wss ? `alias="${listen}:${wss.port}"` : ''}
tcp_accept_no_cl=yes
tcp_connection_lifetime=3605
server_header="Server: Clearline"
user_agent_header="User-Agent: Clearline"

mpath="${KAMAILIO_MODULE_DIR}/"
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "textopsx.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "nathelper.so"
loadmodule "xhttp.so"
loadmodule "websocket.so"
loadmodule "rtpengine.so"
loadmodule "${dbModule}"
loadmodule "auth.so"
loadmodule "auth_db.so"
loadmodule "http_client.so"
loadmodule "jansson.so"
loadmodule "htable.so"
loadmodule "mqueue.so"
loadmodule "rtimer.so"
${wss ? 'loadmodule "tls.so"' : ''}

${wss ? `modparam("tls", "config", "${wss.tlsConfigFile}")` : ''}
modparam("rr", "enable_double_rr", 1)
modparam("rr", "append_fromtag", 1)
modparam("registrar", "max_expires", 3600)
modparam("registrar", "received_avp", "$avp(RECEIVED)")
modparam("nathelper", "received_avp", "$avp(RECEIVED)")
modparam("usrloc", "db_mode", 0)
modparam("auth", "secret", "${input.nonceSecret}")
modparam("auth_db", "db_url", "${kamailioDbUrl}")
modparam("auth_db", "calculate_ha1", 0)
modparam("auth_db", "user_column", "username")
modparam("auth_db", "password_column", "ha1")
modparam("auth_db", "use_domain", 0)
modparam("auth_db", "load_credentials", "")
modparam("auth_db", "version_table", 0)
${sqliteFile ? `# The control plane writes this file; WAL lets Kamailio read it without lock contention.\nmodparam("db_sqlite", "db_set_readonly", "${sqliteFile}")\nmodparam("db_sqlite", "db_set_journal_mode", "${sqliteFile}=WAL;")` : ''}
modparam("rtpengine", "rtpengine_sock", "${input.rtpengineSockets.join(' ')}")
# A restarted rtpengine is back within a second: do not keep it disabled for the default 60 s,
# and fail over to another instance of the set quickly rather than retrying a dead one 5 times.
modparam("rtpengine", "rtpengine_disable_tout", 2)
modparam("rtpengine", "rtpengine_tout_ms", 500)
modparam("rtpengine", "rtpengine_retr", 1)
# Failed digest attempts per source address + username; an entry expires 5 min after its last failure.
modparam("htable", "htable", "authfail=>size=10;autoexpire=300;")
modparam("http_client", "connection_timeout", 2)
modparam("http_client", "keep_connections", 1)
# Audit events wait here for the control plane (mq_add drops the oldest when full; route(AUDIT)
# counts those drops). One dedicated timer process delivers them in order.
modparam("mqueue", "mqueue", "name=audit;size=${auditQueueSize}")
modparam("rtimer", "timer", "name=audit;interval=${AUDIT_DRAIN_INTERVAL_MS * 1000}u;mode=1;")
modparam("rtimer", "exec", "timer=audit;route=AUDIT_DRAIN")

request_route {
	if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
	if (!sanity_check("17895", "7")) { exit; }

	if (is_method("OPTIONS") && uri == myself && $rU == $null) {
		sl_send_reply("200", "Keepalive");
		exit;
	}

	force_rport();
	if (proto == WS || proto == WSS) {
		setflag(FLT_SRC_WEBRTC);
		if (!is_method("REGISTER")) add_contact_alias();
	}
	${trunkTest ? `if (${trunkTest}) setflag(FLT_FROM_TRUNK);` : '# no trunk configured: every request is authenticated'}

	if (is_method("CANCEL")) {
		if (t_check_trans()) {
			route(AUDIT_REQUEST_RELAYED);
			t_relay();
		} else {
			$var(ev_code) = 481; $var(ev_outcome) = "no matching transaction"; route(AUDIT);
		}
		exit;
	}

	if (!is_method("ACK")) {
		if (t_precheck_trans()) { t_check_trans(); exit; }
		t_check_trans();
	}

	route(WITHINDLG);

	remove_hf("Route");

	if (is_method("REGISTER")) route(REGISTRAR);
	if (is_method("INVITE")) route(INVITE);
	if (is_method("ACK")) exit;

	sl_send_reply("405", "Method Not Allowed");
	exit;
}

# In-dialog requests follow the Record-Route set; media is re-negotiated per leg on re-INVITE.
route[WITHINDLG] {
	if (!has_totag()) return;
	setflag(FLT_IN_DIALOG);
	if (loose_route()) {
		handle_ruri_alias();
		route(DST_TYPE);
		if (is_method("BYE")) {
			rtpengine_delete();
			route(AUDIT_REQUEST_RELAYED);
		} else if (is_method("INVITE|UPDATE")) {
			route(RTP_OFFER);
			record_route();
		}
		route(RELAY);
	}
	if (is_method("ACK")) {
		if (t_check_trans()) route(RELAY);
		exit;
	}
	sl_send_reply("404", "Not here");
	exit;
}

route[AUTH] {
	if (isflagset(FLT_FROM_TRUNK) && is_method("INVITE")) return;
	# Password guessing: after ${MAX_AUTH_FAILURES} failures this user is refused from this address, even with
	# the right password, until 5 minutes pass without a new failure.
	$var(fails) = $sht(authfail=>$si::$fU); # $null (no failure yet) becomes 0 in a $var
	if (is_present_hf("Authorization") || is_present_hf("Proxy-Authorization")) {
		if ($var(fails) >= ${MAX_AUTH_FAILURES}) {
			$var(ev_code) = 403; $var(ev_outcome) = "too many failures"; route(AUDIT);
			sl_send_reply("403", "Forbidden");
			exit;
		}
	}
	if (!auth_check("${input.realm}", "agents", "1")) {
		$var(auth_rc) = $rc;
		if ($var(auth_rc) == -2 || $var(auth_rc) == -3 || $var(auth_rc) == -8) {
			$sht(authfail=>$si::$fU) = $var(fails) + 1;
			if ($var(auth_rc) == -2) $var(ev_outcome) = "wrong password";
			else if ($var(auth_rc) == -3) $var(ev_outcome) = "unknown user";
			else $var(ev_outcome) = "auth user mismatch";
			$var(ev_code) = 403;
			route(AUDIT);
			# Same answer for a wrong password and an unknown user: no account enumeration.
			sl_send_reply("403", "Forbidden");
			exit;
		}
		if (is_method("REGISTER")) $var(ev_code) = 401; else $var(ev_code) = 407;
		$var(ev_outcome) = "challenge"; route(AUDIT);
		auth_challenge("${input.realm}", "0");
		exit;
	}
	consume_credentials();
}

route[REGISTRAR] {
	route(AUTH);
	if (proto == WS || proto == WSS) fix_nated_register();
	if (!save("location")) {
		$var(ev_code) = 500; $var(ev_outcome) = "registrar error"; route(AUDIT);
		sl_reply_error();
		exit;
	}
	$var(ev_code) = 200;
	if ($hdr(Expires) == "0" || $ct =~ "expires=0") $var(ev_outcome) = "unregistered";
	else $var(ev_outcome) = "registered";
	route(AUDIT);
	exit;
}

route[INVITE] {
	route(AUTH);
	if ($rU == $null) { sl_send_reply("484", "Address Incomplete"); exit; }
	if ($rU =~ "^\\+?[0-9]+$") {
		if (isflagset(FLT_FROM_TRUNK)) {
			$var(ev_code) = 403; $var(ev_outcome) = "trunk to trunk refused"; route(AUDIT);
			sl_send_reply("403", "Forbidden");
			exit;
		}
		${input.trunk ? `$du = "sip:${input.trunk.address}:${input.trunk.port}";` : `$var(ev_code) = 503; $var(ev_outcome) = "no trunk configured"; route(AUDIT);\n\t\tsl_send_reply("503", "No Trunk");\n\t\texit;`}
	} else {
		if (!lookup("location")) {
			$var(ev_code) = 404; $var(ev_outcome) = "not registered"; route(AUDIT);
			sl_send_reply("404", "Not Found");
			exit;
		}
	}
	route(DST_TYPE);
	$var(ev_code) = 0; $var(ev_outcome) = "received"; route(AUDIT);
	route(RTP_OFFER);
	# After RTP_OFFER: its msg_apply_changes() must not bake in Record-Route lumps, whose
	# double-RR form depends on the outgoing socket chosen at relay time.
	record_route();
	route(RELAY);
}

# Is the next hop a browser (SIP over WS/WSS)? Decides the rtpengine flags of the outgoing leg.
route[DST_TYPE] {
	resetflag(FLT_DST_WEBRTC);
	if ($du != $null) {
		if ($(du{uri.transport}) =~ "^wss?$") setflag(FLT_DST_WEBRTC);
	} else if ($(ru{uri.transport}) =~ "^wss?$") {
		setflag(FLT_DST_WEBRTC);
	}
}

route[RTP_OFFER] {
	if (!has_body("application/sdp")) return;
	if (isflagset(FLT_DST_WEBRTC)) {
		if (!rtpengine_offer("${flags.common} ${flags.toWebrtcOffer}")) route(NO_MEDIA_RELAY);
		route(BROWSER_BUNDLE);
	} else if (!rtpengine_offer("${flags.common} ${flags.toPlain}")) {
		route(NO_MEDIA_RELAY);
	}
}

# Never forward an SDP rtpengine did not rewrite: the two legs could not reach each other.
route[NO_MEDIA_RELAY] {
	$var(ev_code) = 503; $var(ev_outcome) = "media relay unavailable"; route(AUDIT);
	sl_send_reply("503", "Media Relay Unavailable");
	exit;
}

route[RELAY] {
	if (is_method("INVITE|BYE|UPDATE")) {
		t_on_reply("MANAGE_REPLY");
		t_on_failure("MANAGE_FAILURE");
	}
	if (!t_relay()) sl_reply_error();
	exit;
}

# rtpengine 10.5 writes no session-level BUNDLE group, and Chromium with bundlePolicy max-bundle
# refuses any SDP without one ("max-bundle configured but session description has no BUNDLE
# group"). Apply rtpengine's rewrite, then group the (single) audio m-line by its mid.
route[BROWSER_BUNDLE] {
	if (!msg_apply_changes()) return;
	if (search_body("^a=group:BUNDLE")) return;
	$var(mid) = $(rb{line.sw,a=mid:}{s.substr,6,0}{s.trim});
	if ($var(mid) != "") subst_body("/^m=/a=group:BUNDLE $var(mid)\\r\\nm=/");
}

# SDP answers are rewritten in the core reply route, not in the tm onreply_route: only here can
# the rewritten body be edited again (msg_apply_changes) to add the BUNDLE group.
reply_route {
	if (!has_body("application/sdp") || !is_method("INVITE|UPDATE")) return;
	if (!t_check_trans()) return;
	$var(req_flags) = $T_req($mf);
	if ($var(req_flags) & ${1 << 5}) {
		if (rtpengine_answer("${flags.common} ${flags.toWebrtcAnswer}")) route(BROWSER_BUNDLE);
	} else {
		rtpengine_answer("${flags.common} ${flags.toPlain}");
	}
}

onreply_route[MANAGE_REPLY] {
	if (proto == WS || proto == WSS) add_contact_alias();
	if ($rs =~ "^2[0-9][0-9]$" && is_method("INVITE|BYE")) {
		$var(ev_code) = $rs; $var(ev_outcome) = $rr; route(AUDIT);
	}
}

failure_route[MANAGE_FAILURE] {
	if (is_method("INVITE")) rtpengine_delete();
	$var(ev_code) = $T_reply_code;
	if (t_is_canceled()) $var(ev_outcome) = "cancelled";
	else $var(ev_outcome) = $T_reply_reason;
	route(AUDIT);
}

route[AUDIT_REQUEST_RELAYED] {
	$var(ev_code) = 0; $var(ev_outcome) = "relayed"; route(AUDIT);
}

# Queues one audit event (microseconds, never blocks on the network). Its id ($sruid: unique per
# node and across restarts) lets the control plane drop a re-delivered copy; its time is when
# Kamailio saw it, not when it was delivered.
route[AUDIT] {
	$var(ev_id) = $sruid; # each read of $sruid is a new id
	$var(ev) = "{}";
	jansson_set("string", "token", "${input.auditToken}", "$var(ev)");
	jansson_set("string", "eventId", "$var(ev_id)", "$var(ev)");
	jansson_set("string", "at", "$TV(Sn)", "$var(ev)");
	jansson_set("string", "method", "$rm", "$var(ev)");
	jansson_set("integer", "code", "$var(ev_code)", "$var(ev)");
	jansson_set("string", "outcome", "$var(ev_outcome)", "$var(ev)");
	jansson_set("string", "callId", "$ci", "$var(ev)");
	jansson_set("string", "from", "$fu", "$var(ev)");
	jansson_set("string", "to", "$tu", "$var(ev)");
	if ($rU != $null) jansson_set("string", "target", "$rU", "$var(ev)");
	# A message flag, not has_totag(): in reply routes the To tag is the reply's, not the request's.
	if (isflagset(FLT_IN_DIALOG)) jansson_set("integer", "inDialog", "1", "$var(ev)");
	else jansson_set("integer", "inDialog", "0", "$var(ev)");
	if ($mq_size(audit) >= ${auditQueueSize}) {
		$shv(audit_dropped) = $shv(audit_dropped) + 1;
		xlog("L_ERR", "audit: queue full (${auditQueueSize} events waiting for the control plane): dropped the oldest; $shv(audit_dropped) dropped since start\\n");
	}
	mq_add("audit", "$var(ev_id)", "$var(ev)");
}

# Timer process: delivers queued events in order. An event the control plane did not store stays
# in $var(pending) (this process's own memory) and is retried first on the next round, so one
# outage delays the queue but never reorders or loses it; 200 means committed (or a duplicate).
route[AUDIT_DRAIN] {
	$var(sent) = 0;
	while ($var(sent) < ${AUDIT_DRAIN_BATCH}) {
		if ($var(has_pending) == 0) {
			if (!mq_fetch("audit")) return;
			$var(pending) = $mqv(audit);
			$var(has_pending) = 1;
		}
		$var(http_rc) = http_client_query("${input.auditUrl}", "$var(pending)", "Content-Type: application/json", "$var(ev_result)");
		if ($var(http_rc) >= 400 && $var(http_rc) < 500 && $var(http_rc) != 408 && $var(http_rc) != 429) {
			# Refused as invalid: retrying cannot help, and it would hold every later event back.
			xlog("L_ERR", "audit: control plane refused an event (HTTP $var(http_rc)); dropped it\\n");
		} else if ($var(http_rc) != 200) {
			if ($var(cp_down) == 0) {
				$var(cp_down) = 1;
				xlog("L_ERR", "audit: control plane did not acknowledge (HTTP $var(http_rc)); holding events and retrying ($mq_size(audit) more waiting)\\n");
			}
			return;
		} else {
			if ($var(cp_down) == 1) {
				$var(cp_down) = 0;
				xlog("L_NOTICE", "audit: control plane acknowledges again; delivering $mq_size(audit) queued events\\n");
			}
			# Its first answer was lost (e.g. a timeout while the database was slow): stored once anyway.
			if ($var(ev_result) =~ "duplicate.:true") xlog("L_NOTICE", "audit: event re-delivered; the control plane had already stored it\\n");
		}
		$var(has_pending) = 0;
		$var(sent) = $var(sent) + 1;
	}
}

event_route[xhttp:request] {
	set_reply_close();
	set_reply_no_connect();
	if (${wsPorts.map((p) => `$Rp == ${p}`).join(' || ')}) {
		if ($hdr(Upgrade) =~ "websocket" && $hdr(Connection) =~ "Upgrade" && $rm =~ "GET") {
			# Browsers always send Origin: only our softphone's origins may open a SIP socket, so
			# no other page an agent has open can. No Origin = a native SIP client (digest protects it).
			if (is_present_hf("Origin") && !(${originTest})) {
				xlog("L_WARN", "websocket: refused upgrade from $si:$sp: origin $(hdr(Origin){s.substr,0,128}) is not allowed\\n");
				xhttp_reply("403", "Origin Not Allowed", "text/plain", "origin not allowed\\n");
				exit;
			}
			if (ws_handle_handshake()) exit;
		}
	}
	xhttp_reply("404", "Not Found", "", "");
}
`;
}

/** tls module configuration for WSS (TLS 1.2+ only). */
export function renderKamailioTlsConfig(input: { certFile: string; keyFile: string }): string {
  assertSafe('certFile', input.certFile);
  assertSafe('keyFile', input.keyFile);
  return `[server:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
certificate = ${input.certFile}
private_key = ${input.keyFile}

[client:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
`;
}
