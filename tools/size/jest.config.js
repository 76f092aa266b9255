import preset from '../../jest.preset.js';

// The size tool is a plain ES module run by Node; its spec is too (no transform).
export default { ...preset, displayName: 'size', rootDir: import.meta.dirname, testMatch: ['<rootDir>/*.spec.mjs'], transform: {} };
