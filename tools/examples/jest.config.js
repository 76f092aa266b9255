import preset from '../../jest.preset.js';

export default { ...preset, displayName: 'examples', rootDir: import.meta.dirname };
