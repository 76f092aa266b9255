import preset from '../../../jest.redis.preset.js';

export default { ...preset, displayName: 'client (redis)', rootDir: import.meta.dirname };
