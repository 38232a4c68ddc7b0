/**
 * The station's OPC UA methods (issue 17), on the LineSight object:
 *
 *   SelectRecipe(Recipe: String) → (Accepted: Boolean, Message: String)
 *   AcknowledgeResult(ResultId: UInt32) → (Accepted: Boolean, Message: String)
 *
 * Each is the station's own operation, called with the session's user name
 * ("anonymous" for a session without one). What a client sends is hostile
 * input until checked: a wrong type or count of arguments is refused with
 * BadInvalidArgument, a recipe name that is too long or holds control
 * characters with Accepted=false; the station's answer is awaited at most
 * ANSWER_MS and only MAX_IN_FLIGHT calls at once; whatever the station
 * throws becomes Accepted=false with its message. Nothing a client does here
 * can throw out of the server.
 */
import type { CallMethodResultOptions, ISessionContext, Namespace, UAObject, Variant } from 'node-opcua';
import { messageOf } from '../error-message';
import type { OpcUa } from './opcua-module';
import { LINESIGHT_NODE } from './station-variables';

export interface MethodAnswer {
  readonly accepted: boolean;
  readonly message: string;
}

/** What the station does when a client calls a method; `user` is the session's user name, or "anonymous". */
export interface OpcUaStationMethods {
  selectRecipe(recipe: string, user: string): Promise<MethodAnswer>;
  acknowledgeResult(resultId: number, user: string): Promise<MethodAnswer>;
}

export const RECIPE_MAX_CHARS = 100;
/** A station that has not answered by then is not waited for: the client hears so, and its call ends. */
export const ANSWER_MS = 10_000;
/** Calls the station answers at once; a client that floods them is refused, not queued. */
const MAX_IN_FLIGHT = 4;
/** A message longer than this is cut: it is for a person on a SCADA screen. */
const MESSAGE_MAX_CHARS = 500;
// Control characters (C0, DEL, C1) have no place in a recipe name; written as escapes so the source shows them.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export interface MethodFigures {
  readonly calls: number;
  readonly refused: number;
}

type Checked<T> = { readonly value: T } | { readonly invalid: true } | { readonly refused: string };

export class StationMethods {
  private calls = 0;
  private refused = 0;
  private inFlight = 0;

  constructor(
    private readonly opc: OpcUa,
    private readonly methods: OpcUaStationMethods,
    private readonly onError: (message: string) => void,
  ) {}

  figures(): MethodFigures {
    return { calls: this.calls, refused: this.refused };
  }

  /** Adds both methods to the LineSight object and binds them. */
  addTo(namespace: Namespace, object: UAObject): void {
    const { DataType } = this.opc;
    const answer = [
      { name: 'Accepted', dataType: DataType.Boolean, description: { text: 'The station did it' } },
      { name: 'Message', dataType: DataType.String, description: { text: 'What the station said, for a person' } },
    ];
    const selectRecipe = namespace.addMethod(object, {
      nodeId: `s=${LINESIGHT_NODE}.SelectRecipe`,
      browseName: 'SelectRecipe',
      description: 'Selects the recipe the station inspects for',
      inputArguments: [{ name: 'Recipe', dataType: DataType.String, description: { text: `The recipe's name, 1–${RECIPE_MAX_CHARS} characters` } }],
      outputArguments: answer,
    });
    selectRecipe.bindMethod((args: Variant[], context: ISessionContext) =>
      this.call(
        { name: 'SelectRecipe', doing: 'select the recipe' },
        args,
        context,
        (v) => checkRecipe(this.opc, v),
        (recipe, user) => this.methods.selectRecipe(recipe, user),
      ),
    );
    const acknowledge = namespace.addMethod(object, {
      nodeId: `s=${LINESIGHT_NODE}.AcknowledgeResult`,
      browseName: 'AcknowledgeResult',
      description: 'Tells the station the result with this id was read and acted on',
      inputArguments: [{ name: 'ResultId', dataType: DataType.UInt32, description: { text: 'LastResult/Id of the result' } }],
      outputArguments: answer,
    });
    acknowledge.bindMethod((args: Variant[], context: ISessionContext) =>
      this.call(
        { name: 'AcknowledgeResult', doing: 'acknowledge the result' },
        args,
        context,
        (v) => checkResultId(this.opc, v),
        (id, user) => this.methods.acknowledgeResult(id, user),
      ),
    );
  }

  private async call<T>(
    method: { readonly name: string; readonly doing: string },
    args: readonly Variant[],
    context: ISessionContext,
    check: (arg: Variant) => Checked<T>,
    run: (value: T, user: string) => Promise<MethodAnswer>,
  ): Promise<CallMethodResultOptions> {
    const { StatusCodes } = this.opc;
    this.calls++;
    const arg = args.length === 1 ? args[0] : undefined;
    const checked: Checked<T> = arg === undefined ? { invalid: true } : check(arg);
    if ('invalid' in checked) {
      this.refused++;
      return { statusCode: StatusCodes.BadInvalidArgument };
    }
    if ('refused' in checked) return this.answer({ accepted: false, message: checked.refused });
    if (this.inFlight >= MAX_IN_FLIGHT) return this.answer({ accepted: false, message: `the station is busy with ${MAX_IN_FLIGHT} calls; call again` });
    const user = userOf(context);
    this.inFlight++;
    try {
      return this.answer(await within(run(checked.value, user), ANSWER_MS));
    } catch (err) {
      const message = err instanceof AnswerLate ? err.message : `the station could not ${method.doing}: ${messageOf(err)}`;
      this.onError(`OPC UA ${method.name} by ${user}: ${message}`);
      return this.answer({ accepted: false, message });
    } finally {
      this.inFlight--;
    }
  }

  private answer(a: MethodAnswer): CallMethodResultOptions {
    const { DataType, StatusCodes } = this.opc;
    const accepted = a.accepted === true;
    if (!accepted) this.refused++;
    const message = typeof a.message === 'string' ? a.message.slice(0, MESSAGE_MAX_CHARS) : '';
    return {
      statusCode: StatusCodes.Good,
      outputArguments: [
        { dataType: DataType.Boolean, value: accepted },
        { dataType: DataType.String, value: message },
      ],
    };
  }
}

function checkRecipe(opc: OpcUa, arg: Variant): Checked<string> {
  const value: unknown = arg.value;
  if (arg.dataType !== opc.DataType.String || typeof value !== 'string') return { invalid: true };
  const recipe = value.trim();
  if (recipe.length === 0 || recipe.length > RECIPE_MAX_CHARS || CONTROL.test(recipe))
    return { refused: `a recipe name is 1 to ${RECIPE_MAX_CHARS} characters, without control characters` };
  return { value: recipe };
}

function checkResultId(opc: OpcUa, arg: Variant): Checked<number> {
  const value: unknown = arg.value;
  if (arg.dataType !== opc.DataType.UInt32 || typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffff_ffff)
    return { invalid: true };
  return { value };
}

/** The session's user name as the audit trail names it; "anonymous" for a session without one. */
function userOf(context: ISessionContext): string {
  try {
    const name = context.getUserName();
    return name === '' || name.startsWith('<') ? 'anonymous' : name;
  } catch {
    return 'anonymous';
  }
}

class AnswerLate extends Error {}

/** The station's answer, or AnswerLate after `ms`; the timer never outlives the call. */
async function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AnswerLate(`the station did not answer within ${ms / 1000} s; read the station's values before calling again`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
