// Starts the Stripe simulator (tests/sim/stripe) for benchmarks and prints its base URL; runs until killed.
import { startStripeSimulator } from '../tests/sim/stripe/simulator.mjs';

const sim = await startStripeSimulator();
process.stdout.write(sim.base + '\n');
