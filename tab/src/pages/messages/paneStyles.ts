import { tokens, type GriffelStyle } from '@fluentui/react-components';

/** The right-hand pane of the Messages tab (a thread, or a new conversation) and its header bar. */
export const pane: GriffelStyle = { display: 'flex', flexDirection: 'column', minHeight: 0, flexGrow: 1 };

export const paneHeader: GriffelStyle = {
  display: 'flex',
  alignItems: 'center',
  gap: tokens.spacingHorizontalS,
  padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
  borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  backgroundColor: tokens.colorNeutralBackground1,
};
