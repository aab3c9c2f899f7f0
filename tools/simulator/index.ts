import { emitCalls, type EmitOptions, type EmitResult } from './emitter';
import { startSimulator, type RunningSimulator, type StartSimulatorOptions } from './server';

export * from './calls';
export * from './company';
export * from './emitter';
export * from './server';
export * from './state';
export { renderContact, restJson, webhookJson, type RestIdFormat } from './render';
export { SIM_COUNTRIES, type SimCountry } from './phones';

export interface SimulatedDialpad extends RunningSimulator {
  /** Place calls in this simulator's company and deliver them (to `target`, or to its subscribed webhooks). */
  emit(options: Omit<EmitOptions, 'simulator'>): Promise<EmitResult>;
}

/** For the dev runner: the simulator plus an emitter bound to it. */
export async function startSimulatedDialpad(options: StartSimulatorOptions = {}): Promise<SimulatedDialpad> {
  const sim = await startSimulator(options);
  return { ...sim, emit: (emitOptions) => emitCalls({ ...emitOptions, simulator: sim.state }) };
}
