/**
 * Member transport: a listener for peers' connections and outbound connections to peers, each
 * authenticated by a `hello` exchange (cluster name + credentials) before anything else flows.
 */
import { connect as netConnect, createServer, isIP, type Server, type Socket } from 'node:net';
import { checkHelloAuth, makeHelloAuth, type ClusterCredentials } from './auth.js';
import { Channel, type ChannelOptions, type Message } from './channel.js';
import { isMemberInfo, type MemberInfo } from './member-info.js';

export interface ClusterLog {
  info(msg: string): void;
  warn(msg: string): void;
  debug(msg: string): void;
}

export interface TransportOptions extends ChannelOptions {
  self: MemberInfo;
  clusterName: string;
  credentials?: ClusterCredentials;
  connectTimeoutMs: number;
  log: ClusterLog;
}

/** What the cluster does with messages arriving from an authenticated peer. */
export interface PeerMessageHandlers {
  onRequest(peer: MemberInfo, msg: Message): Promise<Message> | Message;
  onOneWay(peer: MemberInfo, msg: Message): void;
}

export class HandshakeError extends Error {
  override readonly name = 'HandshakeError';
}

export class MemberTransport {
  private server: Server | undefined;
  private readonly inbound = new Set<Channel>();
  /** Authenticated inbound channels by peer id (a peer's connection to us also carries requests). */
  private readonly inboundByPeer = new Map<string, Channel>();

  constructor(
    private readonly opts: TransportOptions,
    private readonly handlers: PeerMessageHandlers,
  ) {}

  async listen(): Promise<void> {
    const server = createServer((socket) => this.acceptSocket(socket));
    server.maxConnections = 4096;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.self.memberPort, this.opts.self.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  /** Takes over an accepted socket (from our listener, or handed over after a `MC1` preamble). */
  acceptSocket(socket: Socket, initial?: Buffer): void {
    const channel = new Channel(socket, this.opts, 'inbound', initial);
    this.inbound.add(channel);
    channel.handlers = {
      onRequest: (msg) => this.hello(channel, msg),
      onOneWay: () => channel.close('one-way message before the handshake'),
      onClose: () => this.inbound.delete(channel),
    };
  }

  private hello(channel: Channel, msg: Message): Message {
    const refuse = (why: string): never => {
      this.opts.log.warn(`refused member connection from ${channel.remoteAddress}: ${why}`);
      setTimeout(() => channel.close(`handshake refused: ${why}`), 50).unref();
      throw new HandshakeError(why);
    };
    if (msg.header.op !== 'hello') return refuse(`expected hello, got ${String(msg.header.op)}`);
    const why = checkHelloAuth(msg.header.auth, this.opts.clusterName, this.opts.credentials);
    if (why) return refuse(why);
    const peer = msg.header.member;
    if (!isMemberInfo(peer)) return refuse('malformed member description');
    channel.handlers = {
      onRequest: (m) => this.handlers.onRequest(peer, m),
      onOneWay: (m) => this.handlers.onOneWay(peer, m),
      onClose: () => {
        this.inbound.delete(channel);
        if (this.inboundByPeer.get(peer.id) === channel) this.inboundByPeer.delete(peer.id);
      },
    };
    this.inboundByPeer.set(peer.id, channel);
    return { header: { member: this.opts.self }, buffers: [] };
  }

  /** The open inbound channel of a peer, if it is connected to us. */
  inboundFrom(peerId: string): Channel | undefined {
    const c = this.inboundByPeer.get(peerId);
    return c?.isOpen ? c : undefined;
  }

  /** Ids of the peers connected to us. */
  inboundPeers(): string[] {
    return [...this.inboundByPeer.entries()].filter(([, c]) => c.isOpen).map(([id]) => id);
  }

  /** Connects and authenticates to a peer; the channel also serves that peer's requests. */
  async connect(host: string, memberPort: number): Promise<{ peer: MemberInfo; channel: Channel }> {
    const socket = await this.dial(host, memberPort);
    const channel = new Channel(socket, this.opts, 'outbound');
    let peer: MemberInfo | undefined;
    channel.handlers = {
      onRequest: (m) => this.handlers.onRequest(peer!, m),
      onOneWay: (m) => peer && this.handlers.onOneWay(peer, m),
      onClose: () => undefined,
    };
    try {
      const res = await channel.request(
        {
          op: 'hello',
          auth: makeHelloAuth(this.opts.clusterName, this.opts.credentials),
          member: this.opts.self,
        },
        [],
        this.opts.connectTimeoutMs,
      );
      if (!isMemberInfo(res.header.member))
        throw new HandshakeError('malformed member description');
      peer = res.header.member;
      return { peer, channel };
    } catch (err) {
      channel.close('handshake failed');
      throw err;
    }
  }

  private dial(host: string, port: number): Promise<Socket> {
    return new Promise((resolve, reject) => {
      // Dial from the address we listen on, so peers (and firewalls, and a partition) see one
      // address per member both ways; the kernel would otherwise pick the route's source.
      const self = this.opts.self.host;
      const bind = isIP(self) !== 0 && self !== '0.0.0.0' && self !== '::';
      const socket = netConnect({ host, port, ...(bind ? { localAddress: self } : {}) });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out`));
      }, this.opts.connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(socket);
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  async close(): Promise<void> {
    for (const c of this.inbound) c.close('member shutting down');
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
