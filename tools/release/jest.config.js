import preset from '../../jest.preset.js';

// The release scripts are plain ES modules run by Node; their specs are too (no transform).
export default { ...preset, displayName: 'release', rootDir: import.meta.dirname, testMatch: ['<rootDir>/*.spec.mjs'], transform: {} };
