export { decodeRecord } from './decode.js';
export { createTransformer, type Transformer, type TransformerDeps } from './transformer.js';
