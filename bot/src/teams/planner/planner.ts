import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TurnContext } from 'botbuilder';
import { ActionPlanner, AI, OpenAIModel, PromptManager, type TurnState } from '@microsoft/teams-ai';
import type { AiConfig } from '../../config';
import { ACTION_NAMES, runAction, type ActionContext, type ActionOutcome } from '../actions';

export const CHAT_PROMPT = 'chat';
/** Actions one message may trigger (e.g. "text Jane and Bob ..." is two). */
export const MAX_ACTIONS_PER_TURN = 5;

/**
 * The prompts folder (config.json, skprompt.txt, actions.json): beside this file when
 * copied there, else in the package's sources, which both `src/` (tests) and `dist/`
 * (the built server) reach by the same relative path.
 */
export function promptsFolder(): string {
  const candidates = [join(__dirname, 'prompts'), resolve(__dirname, '../../../src/teams/planner/prompts')];
  const found = candidates.find((folder) => existsSync(join(folder, CHAT_PROMPT, 'skprompt.txt')));
  if (!found) throw new Error(`The chat prompt is missing: looked in ${candidates.join(' and ')}.`);
  return found;
}

/** One turn the planner runs for: who asked, what "this customer" is, and how to show an action's result. */
export interface PlannerTurn {
  ctx: ActionContext;
  focus: string;
  /** Shows what an action did (cards, sent confirmations); its text goes back to the model. */
  show(outcome: ActionOutcome): Promise<void>;
}

function modelFor(config: Exclude<AiConfig, { provider: 'none' }>): OpenAIModel {
  if (config.provider === 'azure') {
    return new OpenAIModel({ azureApiKey: config.apiKey, azureEndpoint: config.endpoint, azureDefaultDeployment: config.deployment, azureApiVersion: config.apiVersion, useSystemMessages: true });
  }
  return new OpenAIModel({ apiKey: config.apiKey, endpoint: config.baseUrl, defaultModel: config.model, useSystemMessages: true });
}

/**
 * Plain-language chat through teams-ai: an ActionPlanner over OpenAI or Azure OpenAI
 * with "tools" augmentation, whose tools are the chat actions (the same functions the
 * deterministic parser calls). The model picks the action and its arguments; the
 * action's text result goes back to it, and its final answer is said in the chat.
 */
export class ChatPlanner {
  private readonly ai: AI<TurnState>;
  private readonly turns = new WeakMap<TurnContext, PlannerTurn>();
  private readonly actionsRun = new WeakMap<TurnContext, number>();

  constructor(config: Exclude<AiConfig, { provider: 'none' }>, options: { promptsFolder?: string } = {}) {
    const prompts = new PromptManager({ promptsFolder: options.promptsFolder ?? promptsFolder() });
    const planner = new ActionPlanner<TurnState>({ model: modelFor(config), prompts, defaultPrompt: CHAT_PROMPT });
    this.ai = new AI<TurnState>({ planner });
    for (const name of ACTION_NAMES) {
      this.ai.action(name, async (context: TurnContext, _state: TurnState, parameters: unknown) => {
        const turn = this.turns.get(context);
        if (!turn) return 'This action is not available outside a chat turn.';
        // A model that keeps calling tools must not send text after text: a few actions per message, then stop.
        const done = this.actionsRun.get(context) ?? 0;
        if (done >= MAX_ACTIONS_PER_TURN) return `Stopped: at most ${MAX_ACTIONS_PER_TURN} actions run for one message. Tell the user what was done and ask them to send the rest as a new message.`;
        this.actionsRun.set(context, done + 1);
        const outcome = await runAction(turn.ctx, name, parameters);
        await turn.show(outcome);
        return outcome.text;
      });
    }
  }

  /** How many actions ran in this turn (a failure after one ran must not be retried another way: it may have sent a text). */
  actionsRan(context: TurnContext): number {
    return this.actionsRun.get(context) ?? 0;
  }

  /** Plans and runs the user's message (`state.temp.input`); errors of the model service are thrown. */
  async run(context: TurnContext, state: TurnState, turn: PlannerTurn): Promise<void> {
    this.turns.set(context, turn);
    state.setValue('temp.userName', turn.ctx.user.name);
    state.setValue('temp.focus', turn.focus);
    const completed = await this.ai.run(context, state);
    if (!completed) throw new Error('The model did not complete the request.');
  }
}
