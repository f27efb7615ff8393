/**
 * The baseline: the same Socket.IO stack with Parley's engine options, and nothing else. No auth, no
 * validation, no persistence: a visitor socket joins its conversation's room, agent sockets join the rooms
 * they serve, and each message is relayed to the other side and acked.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';

type Ack = (answer: { ok: true }) => void;
interface Relayed {
  conversationId: string;
  clientId: string;
  body: string;
}

const httpServer = createServer();
const io = new Server(httpServer, { transports: ['websocket'], maxHttpBufferSize: 64 * 1024, serveClient: false });
const visitors = io.of('/visitor');
const agents = io.of('/agent');

visitors.on('connection', (socket) => {
  const conversationId = String((socket.handshake.auth as { conversationId?: unknown }).conversationId);
  void socket.join(conversationId);
  socket.on('message:send', (message: Omit<Relayed, 'conversationId'>, ack: Ack) => {
    agents.to(conversationId).emit('message:new', { ...message, conversationId });
    ack({ ok: true });
  });
});

agents.on('connection', (socket) => {
  socket.on('join', (conversationId: string, ack: Ack) => {
    void socket.join(conversationId);
    ack({ ok: true });
  });
  socket.on('message:send', (message: Relayed, ack: Ack) => {
    visitors.to(message.conversationId).emit('message:new', message);
    ack({ ok: true });
  });
});

httpServer.listen(0, '127.0.0.1', () => {
  const { port } = httpServer.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ msg: 'listening', url: `http://127.0.0.1:${port}` })}\n`);
});
process.on('SIGTERM', () => {
  io.disconnectSockets(true);
  httpServer.close(() => process.exit(0));
  httpServer.closeAllConnections();
});
