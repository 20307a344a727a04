import type { Attachment, TaskModuleTaskInfo } from 'botbuilder';
import { z } from 'zod';
import { formatInternational, MAX_SEGMENTS } from '@switchboard/shared';

/**
 * The "Text a customer" dialog (an Adaptive Card in a task module) and the card it can
 * post into the conversation. The dialog is drawn from one state, so showing it again
 * after a refused send keeps everything the user typed and puts each error under its field.
 */
export const TEXT_CUSTOMER_COMMAND = 'textCustomer';
export const DIALOG_TITLE = 'Text a customer';
const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

/** Input ids of the dialog: the names of the values Teams submits. */
export const INPUT = { to: 'to', toChoice: 'toChoice', from: 'from', body: 'body', postCard: 'postCard' } as const;

export type DialogField = 'to' | 'from' | 'body' | 'form';

/** What the dialog shows: the choices it offers, the values in its inputs, and the errors next to them. */
export interface DialogState {
  /** Numbers found in the message the dialog was opened from (E.164), with the names the user knows them by. */
  found: Array<{ number: string; name?: string | undefined }>;
  /** The numbers the user may send from (E.164). */
  fromNumbers: string[];
  values: { to: string; toChoice?: string | undefined; from?: string | undefined; body: string; postCard: boolean };
  errors?: Partial<Record<DialogField, string>>;
}

/**
 * What the dialog submits: its inputs, plus the numbers it offered (the Action.Submit
 * data), so the same choices can be drawn again. Every input arrives as a string.
 */
export const dialogSubmitSchema = z.object({
  [INPUT.to]: z.string().max(100).optional(),
  [INPUT.toChoice]: z.string().max(100).optional(),
  [INPUT.from]: z.string().max(100).optional(),
  [INPUT.body]: z.string().max(5000).optional(),
  [INPUT.postCard]: z.string().optional(),
  found: z.array(z.string().max(20)).max(20).optional(),
});
export type DialogSubmit = z.infer<typeof dialogSubmitSchema>;

const MESSAGE_PLACEHOLDER = `Your text. At most ${MAX_SEGMENTS} SMS segments: 1,530 characters, or 670 with emoji or other special characters.`;

const labelOf = (entry: { number: string; name?: string | undefined }) => (entry.name ? `${entry.name} (${formatInternational(entry.number)})` : formatInternational(entry.number));

function errorBlock(field: DialogField, message: string | undefined): object[] {
  return message ? [{ type: 'TextBlock', id: `${field}Error`, text: message, color: 'attention', wrap: true, spacing: 'none', size: 'small' }] : [];
}

function dialogCard(state: DialogState): object {
  const { found, fromNumbers, values, errors = {} } = state;
  const body: object[] = [...errorBlock('form', errors.form)];

  if (found.length > 1) {
    body.push({
      type: 'Input.ChoiceSet',
      id: INPUT.toChoice,
      label: 'To',
      style: 'expanded',
      value: values.toChoice ?? found[0]!.number,
      choices: found.map((entry) => ({ title: labelOf(entry), value: entry.number })),
    });
    body.push({ type: 'Input.Text', id: INPUT.to, label: 'Or another number', style: 'Tel', placeholder: 'e.g. +1 425 555 0142', value: values.to, maxLength: 40 });
  } else {
    body.push({ type: 'Input.Text', id: INPUT.to, label: 'To', style: 'Tel', placeholder: "The customer's number, e.g. +1 425 555 0142", value: values.to, maxLength: 40 });
  }
  body.push(...errorBlock('to', errors.to));

  if (fromNumbers.length > 1) {
    body.push({
      type: 'Input.ChoiceSet',
      id: INPUT.from,
      label: 'From',
      style: 'compact',
      value: values.from && fromNumbers.includes(values.from) ? values.from : fromNumbers[0],
      choices: fromNumbers.map((number) => ({ title: formatInternational(number), value: number })),
    });
  } else if (fromNumbers.length === 1) {
    // One number: nothing to choose; say which it is.
    body.push({ type: 'TextBlock', text: `From ${formatInternational(fromNumbers[0]!)}`, isSubtle: true, wrap: true });
  }
  body.push(...errorBlock('from', errors.from));

  body.push({ type: 'Input.Text', id: INPUT.body, label: 'Message', isMultiline: true, placeholder: MESSAGE_PLACEHOLDER, value: values.body, maxLength: 1600 });
  body.push(...errorBlock('body', errors.body));

  body.push({ type: 'Input.Toggle', id: INPUT.postCard, title: 'Post a card in this conversation', value: values.postCard ? 'true' : 'false', valueOn: 'true', valueOff: 'false' });

  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body,
    actions: [{ type: 'Action.Submit', title: 'Send text', style: 'positive', data: { found: found.map((entry) => entry.number) } }],
  };
}

export function dialog(state: DialogState): TaskModuleTaskInfo {
  return { title: DIALOG_TITLE, width: 'medium', card: { contentType: ADAPTIVE_CARD, content: dialogCard(state) } };
}

/** The card posted into the conversation after a send: who was texted, what, from which number. */
export function sentCard(input: { to: string; toName?: string | undefined; from: string; body: string; senderName: string }): Attachment {
  const who = input.toName ? `${input.toName} (${formatInternational(input.to)})` : formatInternational(input.to);
  return {
    contentType: ADAPTIVE_CARD,
    content: {
      type: 'AdaptiveCard',
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: '1.5',
      body: [
        { type: 'TextBlock', text: `Texted ${who}`, weight: 'bolder', wrap: true },
        { type: 'TextBlock', text: input.body, wrap: true },
        { type: 'TextBlock', text: `Sent by ${input.senderName} from ${formatInternational(input.from)}`, isSubtle: true, size: 'small', wrap: true },
      ],
    },
  };
}
