import preset from '../../../jest.redis.preset.js';

export default { ...preset, displayName: 'nest (redis)', rootDir: import.meta.dirname };
