/**
 * The requests the benchmark sends: an OpenAI Chat Completions body of about 1 KB (a system prompt
 * and a question, the size of a typical short chat turn), the same for every target but for the
 * model name each target expects. The streaming body asks for usage in the stream, as production
 * clients that count tokens do. The temperature is above 0 on purpose: Gatehouse's default cache
 * policy does not cache sampled answers, so every request is relayed to the upstream; with
 * temperature 0 the identical requests would be cache hits and the run would measure the cache.
 */

const systemPrompt =
  'You are a careful assistant for an engineering team. Answer briefly and precisely, cite the ' +
  'relevant part of the question when it helps, and say so plainly when something is unknown. ' +
  'Prefer plain words to jargon, keep lists short, and never invent figures. When a question ' +
  'mixes several topics, answer each in turn, in the order asked. Code goes in fenced blocks ' +
  'with the language named. Dates use ISO 8601 and sizes use SI units.';

const question =
  'We run a gateway in front of several language model providers. Requests arrive from about ' +
  'forty services, most of them short chat turns like this one, and a few long streaming ' +
  'completions. What should we measure first to know whether the gateway itself adds latency, ' +
  'and how would we tell its cost apart from the cost of the network and the provider?';

export function chatBody(model: string, stream: boolean, temperature = 0.2): string {
  return JSON.stringify({
    model,
    messages: [
      { role: 'system', content: systemPrompt },
      { role: 'user', content: question },
    ],
    temperature,
    max_tokens: 256,
    user: 'bench-user-0001',
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  });
}
