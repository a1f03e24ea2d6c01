/** The HTTP-level metrics (declared structurally; telemetry's Metrics fits). */
export interface HttpMetrics {
  requestStarted(request: { readonly route: string; readonly method: string }): {
    streamStarted(): void;
    finished(outcome: { readonly status: number }): void;
  };
  render(): Promise<string>;
  readonly contentType: string;
}
