export * from './chat.js';
export * from './embeddings.js';
