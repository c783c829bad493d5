// Simulated stations for bench/storm.py: MQTT.js sessions shaped like the agent's.
//
// Each session: MQTT v5, keepalive 30 s, clean start on the first connect only (as the
// agent's paho client), retained birth and will, the agent's subscriptions at every
// connect, one QoS 1 telemetry message every period_s kept until the broker's PUBACK and
// sent again after a reconnect (as the agent's outbox does).
// Reconnects follow sensors/uplink/backoff.py ("backoff", with cfg.spread_s as the first
// window) or a fixed wait ("fixed").
// Commands on stdin, one per line: "stop" (no more readings), "report" (when nothing is
// pending any more). Events on stdout, one JSON object per line.
"use strict";

const path = require("path");
const readline = require("readline");

const cfg = JSON.parse(process.argv[2]);
const mqtt = require(path.join(cfg.node_modules, "mqtt"));

const now = () => Date.now();

// sensors/uplink/backoff.py, Backoff.next_s: the first wait after a loss uniform(min, spread),
// then uniform(min, min(max, min * 2 ** (attempt + 1))).
function nextWait(state) {
  if (cfg.mode === "fixed") return cfg.fixed_s;
  const ceiling =
    state.attempt === 0 ? cfg.spread_s : Math.min(cfg.max_s, cfg.min_s * 2 ** (state.attempt + 1));
  state.attempt = Math.min(state.attempt + 1, 32);
  return cfg.min_s + Math.random() * (ceiling - cfg.min_s);
}

const stations = [];
let generating = true;
let readyCount = 0;
let readyReported = false;
let lostCount = 0;
let backCount = 0;

function send(st, seq) {
  const payload = JSON.stringify({
    v: 1,
    session: 1,
    seq,
    readings: [{ ts: now(), temp_c: 30.0, rh: 60.0, wbgt: 26.5, level: "warning" }],
  });
  st.client.publish(st.telemetry, payload, { qos: 1 }, (err) => {
    if (!err) st.pending.delete(seq);
  });
}

function start(index) {
  const id = `${cfg.prefix}${String(index).padStart(5, "0")}`;
  const topic = (t) => t.replace("{id}", id);
  const st = {
    id,
    telemetry: topic(cfg.telemetry),
    status: topic(cfg.status),
    attempt: 0,
    seq: 0,
    pending: new Set(),
    connected: false,
    everConnected: false,
    attemptStart: 0,
    lostAt: 0,
    backAt: 0,
    nextDue: 0,
    failures: 0,
    connects: 0,
    timer: null,
  };
  const will = JSON.stringify({ v: 1, state: "offline", session: 1 });
  st.client = mqtt.connect({
    host: cfg.host,
    port: cfg.port,
    protocolVersion: 5,
    clientId: id,
    username: id,
    password: `${cfg.password_prefix}${index}`,
    keepalive: cfg.keepalive_s,
    clean: true,
    reconnectPeriod: 0, // the waits are nextWait's
    connectTimeout: cfg.connect_timeout_s * 1000,
    will: { topic: st.status, payload: will, qos: 1, retain: true },
  });
  st.attemptStart = now();
  st.client.on("connect", () => {
    const t = now();
    st.connects += 1;
    if (st.lostAt) st.worst = Math.max(st.worst || 0, t - st.attemptStart); // after the kill
    if (st.lostAt && !st.backAt) {
      st.backAt = t;
      backCount += 1;
      if (backCount === cfg.count) console.log(JSON.stringify({ all_back: true }));
    }
    st.connected = true;
    st.attempt = 0;
    st.client.options.clean = false; // paho's MQTT_CLEAN_START_FIRST_ONLY
    const birth = JSON.stringify({ v: 1, state: "online", session: 1, version: "storm" });
    st.client.publish(st.status, birth, { qos: 1, retain: true });
    st.client.subscribe(cfg.subscriptions.map(topic), { qos: 1 });
    for (const seq of st.pending) send(st, seq);
    if (!st.everConnected) {
      st.everConnected = true;
      st.nextDue = t + Math.random() * cfg.period_s * 1000;
      readyCount += 1;
    }
  });
  st.client.on("error", () => {});
  st.client.on("close", () => {
    const t = now();
    if (st.connected) {
      if (!st.lostAt) lostCount += 1;
      st.lostAt = st.lostAt || t;
    } else if (st.everConnected) {
      st.failures += 1;
    }
    st.connected = false;
    if (st.timer) return;
    st.timer = setTimeout(() => {
      st.timer = null;
      st.attemptStart = now();
      st.client.reconnect();
    }, nextWait(st) * 1000);
  });
  stations.push(st);
}

// Open the sessions at ramp_per_s, so the first connect is not itself a storm.
let opened = 0;
const ramp = setInterval(() => {
  const batch = Math.max(1, Math.round(cfg.ramp_per_s / 20));
  for (let i = 0; i < batch && opened < cfg.count; i += 1, opened += 1) start(cfg.first + opened);
  if (opened >= cfg.count) clearInterval(ramp);
}, 50);

setInterval(() => {
  if (!readyReported && readyCount === cfg.count) {
    readyReported = true;
    console.log(JSON.stringify({ ready: true }));
  }
  if (!generating) return;
  const t = now();
  for (const st of stations) {
    if (!st.nextDue || t < st.nextDue) continue;
    st.nextDue += cfg.period_s * 1000;
    st.seq += 1;
    st.pending.add(st.seq);
    if (st.connected) send(st, st.seq);
  }
}, 100);

function histogram(times) {
  const counts = {};
  for (const t of times) {
    const ds = Math.max(0, Math.floor((t - killedAt) / 100));
    counts[ds] = (counts[ds] || 0) + 1;
  }
  return counts;
}

let killedAt = 0;
function report() {
  const pending = stations.reduce((n, st) => n + st.pending.size, 0);
  if (pending > 0 && now() < reportDeadline) {
    setTimeout(report, 200);
    return;
  }
  const line = JSON.stringify({
      report: {
        stations: stations.length,
        lost: lostCount,
        connected: stations.filter((st) => st.connected).length,
        // Tenths of a second from the kill to each station's first CONNACK after it.
        back_ds: histogram(stations.filter((st) => st.backAt).map((st) => st.backAt)),
        not_back: stations.filter((st) => !st.backAt).length,
        worst_connect_ms: Math.max(0, ...stations.map((st) => st.worst || 0)),
        failed_attempts: stations.reduce((n, st) => n + st.failures, 0),
        readings: stations.reduce((n, st) => n + st.seq, 0),
        pending,
      },
    });
  for (const st of stations) st.client.end(true);
  // A pipe is written asynchronously: exit once the whole report is out.
  process.stdout.write(`${line}\n`, () => process.exit(0));
}

let reportDeadline = 0;
readline.createInterface({ input: process.stdin }).on("line", (line) => {
  if (line.trim() === "stop") generating = false;
  if (line.startsWith("report")) {
    killedAt = Number(line.split(" ")[1]);
    reportDeadline = now() + cfg.drain_s * 1000;
    report();
  }
});
