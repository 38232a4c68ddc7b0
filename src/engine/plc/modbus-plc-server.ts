/**
 * The PLC handshake over Modbus TCP (issue 17): LineSight is the server the
 * PLC reads and writes, with the map of plc-map.ts. A rising edge on TRIGGER
 * is one item (its id from TRIGGER_ID, or the station's own count); the
 * results are shown one at a time until the PLC raises RESULT_ACK
 * (plc-results.ts). Everything from the PLC is checked: an address outside
 * the map is refused with Modbus exception 2 (illegal address), and nothing a
 * client sends can throw out of this server or stop the station.
 */
import { ServerTCP, type IServiceVector } from 'modbus-serial';
import { COIL, COILS, DECISION_CODE, DISCRETE, HOLDING, HOLDINGS, INPUT, INPUTS, word } from './plc-map';
import type { PlcResults } from './plc-results';
import { messageOf } from '../error-message';

export interface PlcRecipes {
  current(): number;
  state(): number;
  request(index: number): void;
}

export interface ModbusPlcServerOptions {
  readonly host: string;
  readonly port: number;
  readonly unitId: number;
  readonly results: PlcResults;
  /** A trigger's rising edge, with the PLC's id for it (or the station's count). */
  readonly onTrigger: (triggerId: number) => void;
  /** The PLC acknowledged the shown result. */
  readonly onAcknowledge: () => void;
  /** The ejector fired for this trigger id (confirmed rejects). */
  readonly onConfirm: (triggerId: number) => void;
  /** Whether the station takes triggers now. */
  readonly ready: () => boolean;
  /** Recipes by the PLC's index: the one in force, the switch's state (RECIPE_STATE), and a new request. */
  readonly recipes: PlcRecipes;
  readonly onError: (message: string) => void;
}

/** A connection whose unread answers pile up past this is closed (modbus-serial writes without watching backpressure). */
const MAX_UNREAD_BYTES = 64 * 1024;
/** A line has one PLC; a few connections more for a technician's tools, no more. */
const MAX_CONNECTIONS = 8;
const WATCH_CONNECTIONS_MS = 1000;

/** Modbus exception 2: the address is not in the map. */
const illegalAddress = (what: string, addr: number): { modbusErrorCode: number; msg: string } => ({
  modbusErrorCode: 0x02,
  msg: `${what} ${addr} is not in LineSight's map`,
});

export class ModbusPlcServer {
  private server: ServerTCP | null = null;
  private watch: NodeJS.Timeout | null = null;
  /** Connections closed for not reading their answers, or for being one too many. */
  closedConnections = 0;
  private readonly coils: boolean[] = Array.from({ length: COILS }, () => false);
  private readonly holding: number[] = Array.from({ length: HOLDINGS }, () => 0);
  private triggers = 0;
  private ownIds = 0;
  /** Requests the PLC made outside the map (counted for Diagnostics). */
  refused = 0;

  constructor(private readonly opts: ModbusPlcServerOptions) {}

  get triggerCount(): number {
    return this.triggers;
  }

  /** Listens; rejects with the reason when the port cannot be had. */
  start(): Promise<void> {
    const { host, port, unitId } = this.opts;
    return new Promise((resolve, reject) => {
      const server = new ServerTCP(this.vector(), { host, port, unitID: unitId });
      this.server = server;
      server.once('initialized', () => {
        this.watch = setInterval(() => this.watchConnections(server), WATCH_CONNECTIONS_MS);
        resolve();
      });
      server.once('serverError', (err: unknown) => reject(new Error(`the PLC server cannot listen on ${host}:${port}: ${messageOf(err)}`)));
      server.on('socketError', (err: unknown) => this.opts.onError(`a PLC connection failed: ${messageOf(err)}`));
      server.on('error', (err: unknown) => this.opts.onError(`the PLC server: ${messageOf(err)}`));
    });
  }

  close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (this.watch) clearInterval(this.watch);
    this.watch = null;
    if (!server) return Promise.resolve();
    for (const sock of server.socks.keys()) sock.destroy();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  /** Closes connections that do not read their answers, and those past the most a line needs. */
  private watchConnections(server: ServerTCP): void {
    let open = 0;
    for (const sock of server.socks.keys()) {
      if (sock.destroyed) continue;
      open++;
      if (sock.writableLength > MAX_UNREAD_BYTES || open > MAX_CONNECTIONS) {
        sock.destroy();
        this.closedConnections++;
        this.opts.onError(
          open > MAX_CONNECTIONS
            ? `a PLC connection was closed: more than ${MAX_CONNECTIONS} at once`
            : `a PLC connection was closed: it did not read its answers`,
        );
      }
    }
  }

  private vector(): IServiceVector {
    const { results } = this.opts;
    return {
      getCoil: (addr: number) => {
        if (addr < 0 || addr >= COILS) throw this.refuse('coil', addr);
        return this.coils[addr]!;
      },
      getDiscreteInput: (addr: number) => {
        const shown = results.shown();
        switch (addr) {
          case DISCRETE.READY:
            return this.opts.ready();
          case DISCRETE.RESULT_READY:
            return shown !== null;
          case DISCRETE.RESULT_OK:
            return shown?.decision === 'clean';
          case DISCRETE.RESULT_NG:
            return shown?.decision === 'pit';
          case DISCRETE.RESULT_DIVERT:
            return shown?.decision === 'maybe';
          case DISCRETE.ERROR:
            return (shown?.errorCode ?? 0) !== 0;
          case DISCRETE.OVERRUN:
            return results.overruns > 0;
          case DISCRETE.COMPLETED:
            return results.shownCount % 2 === 1;
          default:
            throw this.refuse('discrete input', addr);
        }
      },
      getHoldingRegister: (addr: number) => {
        if (addr < 0 || addr >= HOLDINGS) throw this.refuse('holding register', addr);
        return this.holding[addr]!;
      },
      getInputRegister: (addr: number) => {
        if (addr < 0 || addr >= INPUTS) throw this.refuse('input register', addr);
        return this.inputRegister(addr);
      },
      setCoil: (addr: number, value: boolean) => {
        if (addr < 0 || addr >= COILS) throw this.refuse('coil', addr);
        const was = this.coils[addr]!;
        this.coils[addr] = value;
        if (value && !was) this.risingEdge(addr);
      },
      setRegister: (addr: number, value: number) => {
        if (addr < 0 || addr >= HOLDINGS) throw this.refuse('holding register', addr);
        this.holding[addr] = word(value);
        // Every write of a recipe request reaches the recipes (the same index again asks again; 0 clears a refusal).
        if (addr === HOLDING.RECIPE_REQUEST) this.recipeRequested(this.holding[addr]);
      },
    };
  }

  private inputRegister(addr: number): number {
    const { results } = this.opts;
    const shown = results.shown();
    switch (addr) {
      case INPUT.RESULT_ID:
        return shown ? word(shown.triggerId) : 0;
      case INPUT.DECISION:
        return shown ? DECISION_CODE[shown.decision] : 0;
      case INPUT.CLASS:
        return shown ? word(shown.classIndex) : 0;
      case INPUT.SCORE:
        return shown?.score != null ? word(shown.score * 10_000) : 0;
      case INPUT.ERROR_CODE:
        return shown?.errorCode ?? 0;
      case INPUT.BUFFERED:
        return word(results.buffered);
      case INPUT.OVERRUNS:
        return word(results.overruns);
      case INPUT.TRIGGERS:
        return this.triggers % 0x10000;
      case INPUT.CYCLE_MS:
        return shown ? word(shown.cycleMs) : 0;
      case INPUT.RESULT_SEQ:
        return results.shownCount % 0x10000;
      case INPUT.RECIPE_CURRENT:
        return word(this.opts.recipes.current());
      case INPUT.RECIPE_STATE:
        return this.opts.recipes.state();
      default:
        throw this.refuse('input register', addr);
    }
  }

  private risingEdge(addr: number): void {
    try {
      if (addr === COIL.TRIGGER) {
        this.triggers++;
        const given = this.holding[HOLDING.TRIGGER_ID]!;
        this.opts.onTrigger(given > 0 ? given : (this.ownIds = (this.ownIds % 0xffff) + 1));
      } else if (addr === COIL.RESULT_ACK) {
        this.opts.onAcknowledge();
      } else if (addr === COIL.EJECT_CONFIRM) {
        this.opts.onConfirm(this.holding[HOLDING.CONFIRM_ID]!);
      }
    } catch (err) {
      const what = addr === COIL.TRIGGER ? 'trigger' : addr === COIL.RESULT_ACK ? 'acknowledge' : 'ejector confirmation';
      this.opts.onError(`handling the PLC's ${what}: ${messageOf(err)}`);
    }
  }

  private recipeRequested(index: number): void {
    try {
      this.opts.recipes.request(index);
    } catch (err) {
      this.opts.onError(`handling the PLC's recipe request ${index}: ${messageOf(err)}`);
    }
  }

  private refuse(what: string, addr: number): { modbusErrorCode: number; msg: string } {
    this.refused++;
    return illegalAddress(what, addr);
  }
}
