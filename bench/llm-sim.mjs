// Starts the OpenAI-compatible simulator (tests/sim/llm) for benchmarks and prints its API base; runs until killed.
import { startLlmSimulator } from '../tests/sim/llm/simulator.mjs';

const sim = await startLlmSimulator({ apiKey: 'sk-llm-bench' });
process.stdout.write(sim.apiBase + '\n');
