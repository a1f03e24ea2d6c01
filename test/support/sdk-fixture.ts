import { startMockServer, type MockServer } from '../../src/providers/mock/index.js';
import { startTestGateway, type TestGateway } from './gateway.js';

/**
 * The setup the SDK integration tests share: the mock provider as its own HTTP server, and the
 * real gateway in front of it with one model per upstream dialect, so each client library can be
 * pointed at a same-dialect target (pass-through) and a cross-dialect one (translation).
 */

/** Served by the upstream mock over the OpenAI Chat Completions dialect. */
export const openaiModel = 'gpt-via-openai';
/** Served by the upstream mock over the Anthropic Messages dialect. */
export const anthropicModel = 'claude-via-anthropic';
/** Answered by the gateway's built-in in-process mock, in whichever dialect the caller speaks. */
export const builtInMockModel = 'mock';
/** What the upstream models are called at the mock server. */
export const upstreamOpenaiModel = 'mock-gpt';
export const upstreamAnthropicModel = 'mock-claude';

export interface SdkFixture {
  readonly gateway: TestGateway;
  readonly mock: MockServer;
  close(): Promise<void>;
}

export async function startSdkFixture(): Promise<SdkFixture> {
  const mock = await startMockServer({ port: 0, host: '127.0.0.1' });
  let gateway: TestGateway;
  try {
    gateway = await startTestGateway({
      providers: {
        'upstream-openai': { type: 'openai-compatible', base_url: `${mock.url}/v1` },
        'upstream-anthropic': { type: 'anthropic', base_url: mock.url, api_key: 'sk-ant-test-upstream-key' },
      },
      models: {
        [openaiModel]: { targets: [{ provider: 'upstream-openai', model: upstreamOpenaiModel }] },
        [anthropicModel]: { targets: [{ provider: 'upstream-anthropic', model: upstreamAnthropicModel }] },
      },
    });
  } catch (error) {
    await mock.close();
    throw error;
  }
  return {
    gateway,
    mock,
    close: async () => {
      await gateway.close();
      await mock.close();
    },
  };
}
