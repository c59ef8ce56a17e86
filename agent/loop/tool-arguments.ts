// Tool arguments checked by the host against the tool's declared JSON Schema (ajv), before the
// component or MCP server sees them: a bad call gets a coded error the model reads and corrects.
// Validators compile once per tool version (by digest), never per call.
import type { Ajv, ValidateFunction } from 'ajv';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import { newAjv, newAjv2020 } from '../../common/ajv.ts';
import { TitanError } from '../../common/errors.ts';
import type { ToolInfo } from './tool-catalog.ts';

const DRAFT_2020 = /json-schema\.org\/draft\/2020-12/;
const MAX_ERRORS = 5;

export class ArgumentChecker {
  // strict: false - tools' schemas carry keywords ajv does not know (titles, examples, vendor fields).
  // Made on the first check of a tool (not at start, where a catalog is built before any call).
  #draft7: Ajv | undefined;
  #draft2020: Ajv2020 | undefined;
  /** null: the schema does not compile; such a tool gets its arguments unchecked (and a warning once). */
  readonly #byDigest = new Map<string, ValidateFunction | null>();
  readonly #warn: (message: string) => void;

  constructor(warn: (message: string) => void = () => {}) {
    this.#warn = warn;
  }

  /** Throws TITAN_E_TOOL_ARGUMENTS naming every mismatch (up to five), in words the model can act on. */
  check(tool: ToolInfo, args: unknown): void {
    const validate = this.#validator(tool);
    if (!validate || validate(args)) return;
    const problems = (validate.errors ?? []).slice(0, MAX_ERRORS).map((e) => {
      const where = e.instancePath ? `"${e.instancePath.slice(1).replaceAll('/', '.')}"` : 'the arguments';
      const extra =
        e.keyword === 'additionalProperties'
          ? ` ("${String(e.params.additionalProperty)}")`
          : e.keyword === 'enum'
            ? `: ${JSON.stringify(e.params.allowedValues)}`
            : '';
      return `${where} ${e.message}${extra}`;
    });
    throw new TitanError('TITAN_E_TOOL_ARGUMENTS', `the arguments of ${tool.name} do not match its schema: ${problems.join('; ')}`, {
      fix: `call ${tool.name} again with arguments that match its input schema`,
      details: { schema: tool.schema },
    });
  }

  #validator(tool: ToolInfo): ValidateFunction | null {
    let validate = this.#byDigest.get(tool.digest);
    if (validate !== undefined) return validate;
    const { $schema, ...schema } = tool.schema;
    try {
      const options = { allErrors: true, strict: false, addUsedSchema: false };
      const ajv = typeof $schema === 'string' && DRAFT_2020.test($schema) ? (this.#draft2020 ??= newAjv2020(options)) : (this.#draft7 ??= newAjv(options));
      validate = ajv.compile(schema);
    } catch (error) {
      validate = null;
      this.#warn(`the input schema of ${tool.name} does not compile (${(error as Error).message}); its arguments go unchecked`);
    }
    this.#byDigest.set(tool.digest, validate);
    return validate;
  }
}
