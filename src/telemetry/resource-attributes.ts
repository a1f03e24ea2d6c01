/**
 * `OTEL_RESOURCE_ATTRIBUTES` (`tracing.resource_attributes`): `key=value` pairs separated by
 * commas, values percent-encoded, as the OpenTelemetry SDK specification defines them
 * ("Resource SDK", environment variable). Undefined when the text is not such a list, so that
 * configuration refuses it instead of dropping it at export time, as the SDKs do.
 */
export function parseResourceAttributes(text: string): Record<string, string> | undefined {
  const attributes: Record<string, string> = {};
  for (const pair of text.split(',')) {
    if (pair.trim() === '') continue;
    const separator = pair.indexOf('=');
    if (separator <= 0) return undefined;
    const key = pair.slice(0, separator).trim();
    if (key === '') return undefined;
    try {
      attributes[key] = decodeURIComponent(pair.slice(separator + 1).trim());
    } catch {
      return undefined;
    }
  }
  return attributes;
}
