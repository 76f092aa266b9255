import preset from '../../jest.redis.preset.js';

export default { ...preset, displayName: 'monitor-server (redis)', rootDir: import.meta.dirname };
