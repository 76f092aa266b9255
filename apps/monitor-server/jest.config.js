import preset from '../../jest.preset.js';

export default { ...preset, displayName: 'monitor-server', rootDir: import.meta.dirname };
