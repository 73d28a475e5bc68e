export { type Reader, type ReaderOptions, startReader } from './reader.js';
export { type LoadedFiles, loadReleaseFiles, ReleaseFilesError } from './release-files.js';
