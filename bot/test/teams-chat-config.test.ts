import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../src/config';
import { ACTION_NAMES, actionSchemas } from '../src/teams/actions';
import { CHAT_PROMPT, ChatPlanner, promptsFolder } from '../src/teams/planner/planner';

/** The model settings (OpenAI or Azure OpenAI, checked at start) and the chat prompt the planner loads. */
describe('chat model configuration and prompt', () => {
  const base = { NODE_ENV: 'test', AUTH_MODE: 'dev', STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' };
  const load = (env: Record<string, string>) => loadConfig({ ...base, ...env });
  const failure = (env: Record<string, string>) => {
    try {
      load(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('expected a configuration error');
  };

  it('uses no model by default (the parser), OpenAI or Azure OpenAI when configured', () => {
    expect(load({}).ai).toEqual({ provider: 'none' });
    expect(load({ OPENAI_API_KEY: 'sk-1' }).ai).toEqual({ provider: 'openai', apiKey: 'sk-1', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini' });
    expect(load({ OPENAI_API_KEY: 'sk-1', OPENAI_BASE_URL: 'http://127.0.0.1:8080/v1/', OPENAI_MODEL: 'gpt-4.1' }).ai).toEqual({ provider: 'openai', apiKey: 'sk-1', baseUrl: 'http://127.0.0.1:8080/v1', model: 'gpt-4.1' });
    expect(load({ AZURE_OPENAI_ENDPOINT: 'https://contoso.openai.azure.com/', AZURE_OPENAI_API_KEY: 'k', AZURE_OPENAI_DEPLOYMENT: 'chat' }).ai).toEqual({
      provider: 'azure',
      endpoint: 'https://contoso.openai.azure.com',
      apiKey: 'k',
      deployment: 'chat',
      apiVersion: '2024-10-21',
    });
  });

  it('refuses half or double configurations with the setting and the fix', () => {
    expect(failure({ OPENAI_API_KEY: 'sk-1', AZURE_OPENAI_ENDPOINT: 'https://contoso.openai.azure.com' })).toMatch(/^Configuration error: OPENAI_API_KEY and AZURE_OPENAI_ settings are both set: configure one model provider/);
    expect(failure({ OPENAI_MODEL: 'gpt-4.1' })).toMatch(/OPENAI_API_KEY is missing/);
    expect(failure({ OPENAI_API_KEY: 'sk-1', OPENAI_BASE_URL: 'http://models.example.com/v1' })).toMatch(/OPENAI_BASE_URL .*use https/);
    expect(failure({ AZURE_OPENAI_ENDPOINT: 'https://contoso.openai.azure.com', AZURE_OPENAI_API_KEY: 'k' })).toMatch(/AZURE_OPENAI_DEPLOYMENT is missing/);
    expect(failure({ AZURE_OPENAI_ENDPOINT: 'http://contoso.openai.azure.com', AZURE_OPENAI_API_KEY: 'k', AZURE_OPENAI_DEPLOYMENT: 'chat' })).toMatch(/AZURE_OPENAI_ENDPOINT is "http:.*https endpoint/);
    expect(failure({ AZURE_OPENAI_ENDPOINT: 'https://contoso.openai.azure.com', AZURE_OPENAI_API_KEY: 'k', AZURE_OPENAI_DEPLOYMENT: 'chat', AZURE_OPENAI_API_VERSION: 'latest' })).toMatch(/AZURE_OPENAI_API_VERSION/);
  });

  it('builds the planner for either provider', () => {
    expect(new ChatPlanner({ provider: 'azure', endpoint: 'https://contoso.openai.azure.com', apiKey: 'k', deployment: 'chat', apiVersion: '2024-10-21' })).toBeInstanceOf(ChatPlanner);
    expect(new ChatPlanner({ provider: 'openai', apiKey: 'sk', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini' })).toBeInstanceOf(ChatPlanner);
  });

  it('declares one tool per action, with the arguments the action schemas take', () => {
    const folder = join(promptsFolder(), CHAT_PROMPT);
    const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
    expect(config.augmentation.augmentation_type).toBe('tools');
    const tools = JSON.parse(readFileSync(join(folder, 'actions.json'), 'utf8')) as Array<{ name: string; parameters: { type: string; properties: Record<string, unknown>; required?: string[] } }>;
    expect(tools.map((t) => t.name).sort()).toEqual([...ACTION_NAMES].sort());
    for (const tool of tools) {
      const schema = actionSchemas[tool.name as keyof typeof actionSchemas] as z.ZodObject;
      expect(tool.parameters.type).toBe('object');
      expect(Object.keys(tool.parameters.properties).sort()).toEqual(Object.keys(schema.shape).sort());
    }
  });
});
