import { Badge, Caption1, Link, Tooltip, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { AttachRegular } from '@fluentui/react-icons';
import type { SmsMessage } from '../../api/types';
import { isWebUrl, mediaKind, shortTime, statusOf, type StatusTone } from './thread';

const useStyles = makeStyles({
  row: { display: 'flex', flexDirection: 'column', maxWidth: '75%', gap: tokens.spacingVerticalXXS },
  mine: { alignSelf: 'flex-end', alignItems: 'flex-end' },
  theirs: { alignSelf: 'flex-start', alignItems: 'flex-start' },
  bubble: {
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderRadius: tokens.borderRadiusXLarge,
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXS,
  },
  out: { backgroundColor: tokens.colorBrandBackground2, color: tokens.colorNeutralForeground1, borderBottomRightRadius: tokens.borderRadiusSmall },
  in: { backgroundColor: tokens.colorNeutralBackground1, color: tokens.colorNeutralForeground1, borderBottomLeftRadius: tokens.borderRadiusSmall, boxShadow: tokens.shadow2 },
  failed: { outline: `${tokens.strokeWidthThin} solid ${tokens.colorPaletteRedBorder2}` },
  image: { display: 'block', maxWidth: '240px', maxHeight: '240px', borderRadius: tokens.borderRadiusMedium },
  meta: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalXS, color: tokens.colorNeutralForeground3, flexWrap: 'wrap' },
  status: { cursor: 'default' },
  reason: { color: tokens.colorPaletteRedForeground1 },
});

const badgeColor: Record<StatusTone, 'informative' | 'success' | 'danger' | 'warning' | 'subtle'> = {
  pending: 'subtle',
  informative: 'informative',
  success: 'success',
  danger: 'danger',
};

/** One message: text and media in a bubble, then its time and (outbound) delivery status. */
export function MessageBubble({ message }: { message: SmsMessage }) {
  const styles = useStyles();
  const outbound = message.direction === 'outbound';
  const status = statusOf(message);
  const failed = status.tone === 'danger';
  return (
    <div className={mergeClasses(styles.row, outbound ? styles.mine : styles.theirs)} data-message-id={message.id} data-status={message.status}>
      <div className={mergeClasses(styles.bubble, outbound ? styles.out : styles.in, failed && styles.failed)}>
        {message.media.filter((m) => isWebUrl(m.url)).map((media, index) =>
          mediaKind(media.contentType) === 'image' ? (
            <a key={media.url + index} href={media.url} target="_blank" rel="noreferrer noopener">
              <img className={styles.image} src={media.url} alt={`Picture ${index + 1} (${media.contentType})`} loading="lazy" />
            </a>
          ) : (
            <Link key={media.url + index} href={media.url} target="_blank" rel="noreferrer noopener">
              <AttachRegular aria-hidden="true" /> Attachment {index + 1} ({media.contentType})
            </Link>
          ),
        )}
        {message.body && <span>{message.body}</span>}
      </div>
      <Caption1 className={styles.meta}>
        <span>
          {outbound && message.sentByName ? `${message.sentByName} · ` : ''}
          {shortTime(message.createdAt)}
          {message.segments > 1 ? ` · ${message.segments} segments` : ''}
        </span>
        {outbound && (
          <Tooltip content={status.detail} relationship="description" withArrow>
            <Badge className={styles.status} appearance="tint" size="small" color={badgeColor[status.tone]} tabIndex={0}>
              {status.label}
            </Badge>
          </Tooltip>
        )}
      </Caption1>
      {outbound && status.reason && <Caption1 className={styles.reason}>{status.reason}</Caption1>}
    </div>
  );
}
