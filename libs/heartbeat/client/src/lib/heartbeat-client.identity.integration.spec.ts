import { identitySuite } from './heartbeat-client.identity.suite.js';

// The suite of heartbeat-client.identity.suite.ts on one node, in memory.
identitySuite({ name: 'one node in memory', nodes: 1 });
