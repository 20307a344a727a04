import type { TurnContext } from 'botbuilder';
import type { Application, TurnState } from '@microsoft/teams-ai';
import type { Logger } from 'pino';
import { AppError, checkPhoneNumber, countryOf, findPhoneNumbers, formatInternational, type Services } from '@switchboard/shared';
import { resolveTeamsUser, type TeamsUser } from '../teams-user';
import { dialog, dialogSubmitSchema, sentCard, TEXT_CUSTOMER_COMMAND, type DialogField, type DialogState } from './dialog';
import { messageText, quoteForSms } from './message-text';

/**
 * The "Text a customer" message extension (manifest command `textCustomer`): from the
 * compose box, the command box or a message's "..." menu, a dialog to send an SMS from
 * the user's business number. From a message it starts with the numbers found in it and
 * its text quoted. After the send, it can put a card saying so into the conversation.
 */
export interface TextCustomerDeps {
  services: Services;
  logger: Logger;
}

/** What Teams sends with a message action: the message the user opened the menu on. */
interface ActionValue {
  commandContext?: string;
  messagePayload?: { body?: { content?: string; contentType?: string } };
}

export const NO_NUMBER_TEXT =
  'You cannot text customers yet: your admin has not given you an SMS number. Ask them to assign you one in Switchboard (Users page, SMS User Configuration).';

/** The answer for someone Switchboard cannot act for, in plain words. */
export function notAUserText(user: Exclude<TeamsUser, { kind: 'user' }>): string {
  if (user.kind === 'unknown-tenant') {
    return 'Switchboard is not set up for your organisation yet, so it cannot send texts for you. Ask your Microsoft 365 administrator or your service provider to add your organisation to Switchboard.';
  }
  return "Switchboard does not know you yet: your organisation's directory has not been synced since you were added. Ask your Switchboard administrator to sync the directory (Users page), then try again.";
}

/** Which field of the dialog a refusal of the send belongs to. */
function fieldOf(error: AppError, hasChoiceOfFrom: boolean): DialogField {
  const path = error.details[0]?.path.split('.')[0];
  if (path === 'to' || path === 'from' || path === 'body') return path;
  if (error.code === 'opted_out') return 'to';
  // The sending number is not theirs, not in the inventory, or has no carrier.
  if ((error.code === 'forbidden' || error.code === 'not_found') && hasChoiceOfFrom) return 'from';
  return 'form';
}

export function registerTextCustomer(app: Application<TurnState>, deps: TextCustomerDeps): void {
  const { services, logger } = deps;

  app.messageExtensions.fetchTask(TEXT_CUSTOMER_COMMAND, async (context: TurnContext) => {
    const user = await resolveTeamsUser(services, context.activity);
    if (user.kind !== 'user') return notAUserText(user);
    const fromNumbers = await services.outboundSms.numbersOf(user.enterpriseId, user.userId);
    if (fromNumbers.length === 0) return NO_NUMBER_TEXT;

    const value = (context.activity.value ?? {}) as ActionValue;
    let found: DialogState['found'] = [];
    let body = '';
    if (value.commandContext === 'message' && value.messagePayload) {
      const text = messageText(value.messagePayload.body);
      // Numbers written without a country code are read as the user's own country's.
      const numbers = findPhoneNumbers(text, countryOf(fromNumbers[0]!));
      const names = await services.contacts.namesOf(user.enterpriseId, user.userId, numbers);
      found = numbers.map((number) => ({ number, name: names.get(number) }));
      body = quoteForSms(text);
    }
    return dialog({
      found,
      fromNumbers,
      values: { to: found.length === 1 ? formatInternational(found[0]!.number) : '', body, postCard: false },
    });
  });

  app.messageExtensions.submitAction(TEXT_CUSTOMER_COMMAND, async (context: TurnContext, _state: TurnState, data: Record<string, unknown>) => {
    const user = await resolveTeamsUser(services, context.activity);
    if (user.kind !== 'user') return notAUserText(user);
    const fromNumbers = await services.outboundSms.numbersOf(user.enterpriseId, user.userId);
    if (fromNumbers.length === 0) return NO_NUMBER_TEXT;

    const parsed = dialogSubmitSchema.safeParse(data);
    const input = parsed.success ? parsed.data : {};
    const values: DialogState['values'] = { to: input.to ?? '', toChoice: input.toChoice, from: input.from, body: input.body ?? '', postCard: input.postCard === 'true' };
    /** The dialog again, as the user left it, with the reason under its field. */
    const again = async (field: DialogField, message: string) => {
      const offered = (input.found ?? []).filter((n) => checkPhoneNumber(n).ok);
      const names = await services.contacts.namesOf(user.enterpriseId, user.userId, offered);
      return dialog({ found: offered.map((number) => ({ number, name: names.get(number) })), fromNumbers, values, errors: { [field]: message } });
    };

    const typed = values.to.trim();
    const recipient = typed !== '' ? typed : (values.toChoice ?? '').trim();
    if (recipient === '') return again('to', "Enter the customer's number, e.g. +1 425 555 0142.");
    const from = fromNumbers.length > 1 ? values.from : undefined;
    // A number typed without a country code is read as the sending number's country's.
    const checked = checkPhoneNumber(recipient, countryOf(from ?? fromNumbers[0]!));
    if (!checked.ok) return again('to', checked.problem!);

    const sender = { enterpriseId: user.enterpriseId, userId: user.userId, name: user.name };
    let sent;
    try {
      sent = await services.outboundSms.send(sender, { ...(from ? { from } : {}), to: checked.e164!, body: values.body, media: [] });
    } catch (error) {
      if (error instanceof AppError) return again(fieldOf(error, fromNumbers.length > 1), error.details[0]?.message ?? error.message);
      logger.error({ err: error, enterpriseId: user.enterpriseId }, 'text a customer: the send failed');
      return again('form', 'Something went wrong on our side and the text was not sent. Please try again in a moment.');
    }
    logger.info({ enterpriseId: user.enterpriseId, messageId: sent.id, postCard: values.postCard }, 'text a customer: SMS accepted');
    // Nothing to post: an empty answer closes the dialog.
    if (!values.postCard) return undefined;
    const toName = await services.contacts.nameOf(user.enterpriseId, user.userId, sent.to);
    return { type: 'result', attachmentLayout: 'list', attachments: [sentCard({ to: sent.to, toName, from: sent.from, body: sent.body, senderName: user.name })] };
  });
}
