import { Card, Link } from '@fluentui/react-components';
import { LockClosedRegular } from '@fluentui/react-icons';
import type { Me } from '../../api/types';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import type { View } from '../../routing/access';

type Reason = Extract<View, { view: 'no-access' }>['reason'];

const copy: Record<Reason, { title: string; description: (me: Me) => string }> = {
  'admins-only': {
    title: 'Admin pages are for admins.',
    description: (me) => `You're signed in as ${me.name}. Your organization's Switchboard admins manage settings here.`,
  },
  'providers-only': {
    title: 'This page is for service providers.',
    description: () => 'Only your service provider manages the list of enterprises. Your own settings are under Settings.',
  },
  'no-enterprise': {
    title: "Your account isn't linked to an enterprise.",
    description: (me) => `You're signed in as ${me.name}, but Switchboard doesn't know which enterprise you belong to. Ask your service provider to add your organization.`,
  },
  'enterprise-users-only': {
    title: 'Messages are for enterprise users.',
    description: () => 'As a service provider admin you manage enterprises; their users text customers from here.',
  },
  'not-yours': {
    title: "You can't open this enterprise.",
    description: () => 'You can only manage your own enterprise.',
  },
};

/** A page the signed-in user can't use: say why, and offer the way back. */
export function NoAccessPage({ me, reason }: { me: Me; reason: Reason }) {
  const text = copy[reason];
  return (
    <>
      <PageHeader title="No access" />
      <Card>
        <EmptyState
          icon={<LockClosedRegular />}
          title={text.title}
          description={text.description(me)}
          action={<Link href={me.role === 'user' ? '#/messages' : '#/admin'}>{me.role === 'user' ? 'Go to Messages' : 'Go to your start page'}</Link>}
        />
      </Card>
    </>
  );
}
