/** A StateStore that lives only as long as the process: for tests and for embedding without a state dir. */
import { UsageError } from "../errors.js";
import type { DeviceState, StateStore } from "./store.js";
import { copyDeviceState, deviceStateProblem } from "./store.js";

export class MemoryStateStore implements StateStore {
  #state: DeviceState;

  constructor(initial: DeviceState = {}) {
    this.#state = copyDeviceState(initial);
  }

  async load(): Promise<DeviceState> {
    return copyDeviceState(this.#state);
  }

  async save(state: DeviceState): Promise<void> {
    const problem = deviceStateProblem(state);
    if (problem !== undefined) throw new UsageError(`cannot save device state: ${problem}`);
    this.#state = copyDeviceState(state);
  }

  async eraseCredentials(): Promise<void> {
    this.#state = this.#state.mac === undefined ? {} : { mac: this.#state.mac };
  }
}
