/**
 * A small client that speaks AppSync's real-time WebSocket protocol, as AWS documents it
 * ("Building a real-time WebSocket client"), with the `ws` package:
 *
 *   1. connect to the real-time endpoint with subprotocol `graphql-ws` and the auth header
 *      base64-encoded in the `header` query parameter (`payload=e30=`, i.e. `{}`);
 *   2. send `connection_init`, wait for `connection_ack` (it carries the connection timeout);
 *   3. per subscription: send `start` (`payload.data` is the JSON string of query + variables,
 *      `payload.extensions.authorization` the auth header again), wait for `start_ack`;
 *   4. receive `data` messages for that id; `ka` keep-alives in between; `error` on failure;
 *   5. `stop` a subscription → `complete`.
 */
import { WsConstructor, WsSocket } from './launcher';

export interface DataMessage {
  readonly id: string;
  readonly payload: { data?: Record<string, unknown>; errors?: unknown[] };
  readonly receivedAt: number;
}

/** A connected, acknowledged real-time connection. */
export class RealtimeConnection {
  /** Connects and completes the connection_init / connection_ack handshake. */
  static async open(Ws: WsConstructor, wsUrl: string, auth: Record<string, string>, timeoutMs = 10_000): Promise<RealtimeConnection> {
    const header = Buffer.from(JSON.stringify(auth)).toString('base64');
    const socket = new Ws(`${wsUrl}?header=${encodeURIComponent(header)}&payload=e30=`, 'graphql-ws');
    const connection = new RealtimeConnection(socket, auth);
    await new Promise<void>((resolve, reject) => {
      socket.on('open', resolve);
      socket.on('error', reject);
    });
    connection.send({ type: 'connection_init' });
    const ack = await connection.next(m => m.type === 'connection_ack' || m.type === 'connection_error', timeoutMs);
    if (ack.type !== 'connection_ack') throw new Error(`connection refused: ${JSON.stringify(ack)}`);
    connection.connectionAck = ack;
    return connection;
  }

  /** Every protocol message received, in order (type, id). */
  readonly log: { type: string; id?: string }[] = [];
  /** `data` messages per subscription id, in arrival order. */
  readonly data = new Map<string, DataMessage[]>();
  connectionAck: any;
  private readonly waiters: { match: (m: any) => boolean; resolve: (m: any) => void }[] = [];
  private nextId = 1;

  private constructor(private readonly socket: WsSocket, private readonly auth: Record<string, string>) {
    socket.on('message', (raw: Buffer) => {
      const message = JSON.parse(raw.toString('utf8'));
      this.log.push({ type: message.type, id: message.id });
      if (message.type === 'data') {
        const list = this.data.get(message.id) ?? [];
        list.push({ id: message.id, payload: message.payload, receivedAt: Date.now() });
        this.data.set(message.id, list);
      }
      const i = this.waiters.findIndex(w => w.match(message));
      if (i >= 0) this.waiters.splice(i, 1)[0].resolve(message);
    });
  }

  /** Starts a subscription and resolves with its id once the server sent start_ack. */
  async subscribe(query: string, variables: Record<string, unknown>, timeoutMs = 10_000): Promise<string> {
    const id = `sub-${this.nextId}`;
    this.nextId += 1;
    this.data.set(id, []);
    const acked = this.next(m => m.id === id && (m.type === 'start_ack' || m.type === 'error'), timeoutMs);
    this.send({ id, type: 'start', payload: { data: JSON.stringify({ query, variables }), extensions: { authorization: this.auth } } });
    const answer = await acked;
    if (answer.type !== 'start_ack') throw new Error(`subscription refused: ${JSON.stringify(answer.payload)}`);
    return id;
  }

  /** Stops a subscription and waits for `complete`. */
  async unsubscribe(id: string, timeoutMs = 10_000): Promise<void> {
    const done = this.next(m => m.id === id && m.type === 'complete', timeoutMs);
    this.send({ id, type: 'stop' });
    await done;
  }

  /** Resolves when `count` data messages arrived for `id` (or rejects after `timeoutMs`). */
  async waitForData(id: string, count: number, timeoutMs: number): Promise<DataMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while ((this.data.get(id)?.length ?? 0) < count) {
      if (Date.now() > deadline) return this.data.get(id) ?? [];
      await new Promise(r => setTimeout(r, 20));
    }
    return this.data.get(id)!;
  }

  close(): void {
    this.socket.close(1000);
  }

  private send(message: object): void {
    this.socket.send(JSON.stringify(message));
  }

  private next(match: (m: any) => boolean, timeoutMs: number): Promise<any> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching message within ${timeoutMs} ms; received: ${JSON.stringify(this.log.slice(-5))}`)), timeoutMs);
      this.waiters.push({ match, resolve: (m) => { clearTimeout(timer); resolve(m); } });
    });
  }
}

/** Sends one GraphQL operation over HTTP (POST, JSON) with the given auth headers. */
export async function graphqlRequest(
  url: string,
  headers: Record<string, string>,
  query: string,
  variables: Record<string, unknown>,
): Promise<{ status: number; body: any; bytes: number }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, bytes: Buffer.byteLength(text) };
}
