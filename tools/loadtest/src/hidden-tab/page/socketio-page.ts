/** The Socket.IO tab: one socket.io-client with its default options, listening to one event. */
import { io } from 'socket.io-client';
import { pageSettings } from './page-stats.js';

const { url, topic } = pageSettings(location.search);
const socket = io(url);
let connects = 0;
let drops = 0;
let events = 0;
let serverPings = 0;
socket.on('connect', () => connects++);
socket.on('disconnect', () => drops++);
socket.on(topic, () => events++);
socket.io.on('ping', () => serverPings++);

window.hiddenTabStats = () => ({
  connected: socket.connected,
  connects,
  drops,
  events,
  clientPings: 0,
  clientPongs: 0,
  serverPings,
  lastPingAt: null,
  lastPongAt: null,
});
