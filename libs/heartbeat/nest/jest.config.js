import preset from '../../../jest.preset.js';

export default { ...preset, displayName: 'nest', rootDir: import.meta.dirname };
