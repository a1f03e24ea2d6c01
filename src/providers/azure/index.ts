export { createAzureAdapter } from './azure-adapter.js';
