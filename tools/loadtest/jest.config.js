import preset from '../../jest.preset.js';

export default { ...preset, displayName: 'loadtest', rootDir: import.meta.dirname };
