// The format is OpenTelemetry's, parsed where tracing lives; configuration validates with the same parser.
export { parseResourceAttributes } from '../telemetry/resource-attributes.js';
