import { CardFactory, type Attachment } from 'botbuilder';
import { formatInternational } from '@switchboard/shared';
import { CONTACT_NAME_INPUT_ID, REPLY_INPUT_ID, type CardAction } from './card-actions';
import { CARD_SCHEMA, CARD_VERSION, localTime } from './card-format';

export interface InboundCardInput {
  /** The customer's number and, when saved as a contact, its name. */
  from: string;
  contactName?: string | null;
  /** The enterprise number it came in on and, for an SMS group, the group's name. */
  to: string;
  groupName?: string | null;
  body: string;
  media: ReadonlyArray<{ url: string; contentType: string }>;
  receivedAt: string;
}

const isImage = (contentType: string) => /^image\/(jpeg|png|gif|webp|bmp)$/i.test(contentType);

/** A link's label: the kind of file ("PDF", "video/mp4"). */
function mediaLabel(contentType: string, index: number): string {
  const known: Record<string, string> = { 'application/pdf': 'PDF', 'text/vcard': 'Contact card (vCard)', 'video/mp4': 'Video', 'video/3gpp': 'Video', 'audio/mpeg': 'Audio', 'audio/mp4': 'Audio', 'audio/amr': 'Audio' };
  return `${known[contentType.toLowerCase()] ?? contentType} (attachment ${index + 1})`;
}

/**
 * An inbound SMS/MMS in a Teams chat: who sent it, the text, images shown and other
 * media as links, when, the number it came in on; Reply (typed right in the card),
 * Show conversation and Save contact. The buttons carry exactly card-actions' data.
 */
export function inboundCard(input: InboundCardInput): Attachment {
  const sender = input.contactName ?? formatInternational(input.from);
  const onNumber = input.groupName ? `${input.groupName} ${formatInternational(input.to)}` : formatInternational(input.to);
  const conversation = { enterpriseNumber: input.to, externalNumber: input.from };
  const reply: CardAction = { switchboard: 'reply', ...conversation };
  const show: CardAction = { switchboard: 'showConversation', ...conversation };
  const save: CardAction = { switchboard: 'saveContact', externalNumber: input.from };
  const images = input.media.filter((m) => isImage(m.contentType));
  const others = input.media.filter((m) => !isImage(m.contentType));
  const body: unknown[] = [
    {
      type: 'ColumnSet',
      columns: [
        {
          type: 'Column',
          width: 'stretch',
          items: [
            { type: 'TextBlock', text: sender, weight: 'Bolder', size: 'Medium', wrap: true },
            ...(input.contactName ? [{ type: 'TextBlock', text: formatInternational(input.from), isSubtle: true, spacing: 'None', wrap: true }] : []),
          ],
        },
        { type: 'Column', width: 'auto', items: [{ type: 'TextBlock', text: localTime(input.receivedAt), isSubtle: true, size: 'Small', horizontalAlignment: 'Right' }] },
      ],
    },
    ...(input.body !== '' ? [{ type: 'TextBlock', text: input.body, wrap: true }] : []),
    ...(images.length > 0 ? [{ type: 'ImageSet', imageSize: 'Large', images: images.map((m) => ({ type: 'Image', url: m.url, altText: 'Picture from the message', selectAction: { type: 'Action.OpenUrl', url: m.url } })) }] : []),
    ...others.map((m) => ({ type: 'TextBlock', text: `[${mediaLabel(m.contentType, input.media.indexOf(m))}](${m.url})`, wrap: true })),
    { type: 'TextBlock', text: `To ${onNumber}`, isSubtle: true, size: 'Small', wrap: true },
    { type: 'Input.Text', id: REPLY_INPUT_ID, placeholder: 'Reply by SMS', isMultiline: true, maxLength: 1600 },
  ];
  return CardFactory.adaptiveCard({
    $schema: CARD_SCHEMA,
    type: 'AdaptiveCard',
    version: CARD_VERSION,
    body,
    actions: [
      { type: 'Action.Submit', title: 'Reply', data: reply },
      { type: 'Action.Submit', title: 'Show conversation', data: show, associatedInputs: 'none' },
      {
        type: 'Action.ShowCard',
        title: 'Save contact',
        card: {
          type: 'AdaptiveCard',
          body: [{ type: 'Input.Text', id: CONTACT_NAME_INPUT_ID, label: `Name for ${formatInternational(input.from)}`, placeholder: 'Jane Doe', maxLength: 100, ...(input.contactName ? { value: input.contactName } : {}) }],
          actions: [{ type: 'Action.Submit', title: 'Save', data: save }],
        },
      },
    ],
  });
}

/** The notification preview Teams shows for the card. */
export function inboundSummary(input: Pick<InboundCardInput, 'from' | 'contactName' | 'body' | 'media'>): string {
  const sender = input.contactName ?? formatInternational(input.from);
  const text = input.body !== '' ? input.body : `${input.media.length} attachment${input.media.length === 1 ? '' : 's'}`;
  return `SMS from ${sender}: ${text.length > 100 ? `${text.slice(0, 99)}…` : text}`;
}
