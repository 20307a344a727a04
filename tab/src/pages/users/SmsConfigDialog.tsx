import {
  Button,
  Caption1,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  SearchBox,
  Skeleton,
  SkeletonItem,
  Spinner,
  Tag,
  TagGroup,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import { AddRegular, ChevronDoubleLeftRegular, ChevronLeftRegular, ChevronRightRegular } from '@fluentui/react-icons';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { isAbort, toApiError, type ApiError } from '../../api/errors';
import type { SmsUserSaveResult, SmsUserView, UsersApi } from '../../api/users';
import { ErrorBar } from '../../components/ErrorBar';
import { addNumbers, availableFor, draftOf, isDirty, removeNumbers, sectionOf, type NumberItem, type SmsDraft } from './smsDraft';
import { countHint, lengthHint, problemAdding, problemWithList } from './tagRules';

/** Available numbers fetched at once; the search narrows them. */
const AVAILABLE_LIMIT = 50;

const useStyles = makeStyles({
  surface: { maxWidth: '820px', width: 'calc(100vw - 32px)' },
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  lists: { display: 'grid', gridTemplateColumns: '1fr auto 1fr', gap: tokens.spacingHorizontalM, alignItems: 'stretch' },
  listBox: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXS,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
    padding: tokens.spacingHorizontalS,
    minWidth: 0,
  },
  listBoxError: { border: `${tokens.strokeWidthThin} solid ${tokens.colorPaletteRedBorder2}` },
  listTitle: { fontWeight: tokens.fontWeightSemibold, margin: 0, fontSize: tokens.fontSizeBase300 },
  scroll: { height: '220px', overflowY: 'auto', display: 'flex', flexDirection: 'column' },
  empty: { color: tokens.colorNeutralForeground3, padding: tokens.spacingVerticalS },
  moves: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, justifyContent: 'center' },
  numberLabel: { color: tokens.colorNeutralForeground3, marginLeft: tokens.spacingHorizontalXS },
  note: { color: tokens.colorNeutralForeground3 },
  error: { color: tokens.colorPaletteRedForeground1 },
  tagRow: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'flex-start' },
  tagInput: { flexGrow: 1 },
  hints: { display: 'flex', gap: tokens.spacingHorizontalM, color: tokens.colorNeutralForeground3 },
  over: { color: tokens.colorPaletteRedForeground1, fontWeight: tokens.fontWeightSemibold },
  skeleton: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

export interface SmsConfigDialogProps {
  api: UsersApi;
  enterpriseId: string;
  userId: string;
  /** For the title until the configuration has loaded. */
  name: string;
  onClose: () => void;
  onSaved: (result: SmsUserSaveResult) => void;
}

type Section = 'enabled' | 'numbers' | 'tags';

/**
 * The SMS User Configuration: Enable SMS Service, Available and Assigned numbers,
 * tags; saved all at once with the user's ETag. Nothing typed is lost when a save
 * fails: a conflict says so, and Reload takes the latest version under the edits.
 */
export function SmsConfigDialog({ api, enterpriseId, userId, name, onClose, onSaved }: SmsConfigDialogProps) {
  const styles = useStyles();
  const [view, setView] = useState<SmsUserView>();
  const [loadError, setLoadError] = useState<ApiError>();
  const [draft, setDraft] = useState<SmsDraft>();
  const [search, setSearch] = useState('');
  const [available, setAvailable] = useState<{ items: NumberItem[]; total: number }>({ items: [], total: 0 });
  const [pickedAvailable, setPickedAvailable] = useState<Set<string>>(new Set());
  const [pickedAssigned, setPickedAssigned] = useState<Set<string>>(new Set());
  const [tagDraft, setTagDraft] = useState('');
  const [tagProblem, setTagProblem] = useState<string>();
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<ApiError>();
  const [conflict, setConflict] = useState<ApiError>();
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Section, string>>>({});
  const [reloading, setReloading] = useState(false);
  const tagInputRef = useRef<HTMLInputElement>(null);

  // First load: the configuration and the first available numbers.
  useEffect(() => {
    const controller = new AbortController();
    api.getUserSms(enterpriseId, userId, { limit: AVAILABLE_LIMIT, signal: controller.signal }).then(
      (loaded) => {
        setView(loaded);
        setDraft(draftOf(loaded));
        setAvailable({ items: loaded.available, total: loaded.availableTotal });
      },
      (error: unknown) => {
        if (!isAbort(error)) setLoadError(toApiError(error));
      },
    );
    return () => controller.abort();
  }, [api, enterpriseId, userId]);

  // The available list follows the search (after a short pause in typing).
  const firstSearch = useRef(true);
  useEffect(() => {
    if (firstSearch.current) {
      firstSearch.current = false;
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api.getUserSms(enterpriseId, userId, { search, limit: AVAILABLE_LIMIT, signal: controller.signal }).then(
        (found) => setAvailable({ items: found.available, total: found.availableTotal }),
        (error: unknown) => {
          if (!isAbort(error)) setFailure(toApiError(error));
        },
      );
    }, 200);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [api, enterpriseId, userId, search]);

  const label = view ? view.displayName || view.username : name;
  const edit = (next: SmsDraft, section?: Section) => {
    setDraft(next);
    if (section) setFieldErrors((errors) => ({ ...errors, [section]: undefined }));
  };

  const addTag = () => {
    if (!draft) return;
    const problem = problemAdding(draft.tags, tagDraft, true);
    setTagProblem(problem);
    if (problem) return;
    edit({ ...draft, tags: [...draft.tags, tagDraft.trim()] }, 'tags');
    setTagDraft('');
    tagInputRef.current?.focus();
  };

  const onTagKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      addTag();
    }
  };

  const reloadLatest = async () => {
    if (!draft) return;
    setReloading(true);
    try {
      const latest = await api.getUserSms(enterpriseId, userId, { search, limit: AVAILABLE_LIMIT });
      // The edits stay; only the version they will be saved over changes.
      setView(latest);
      setAvailable({ items: latest.available, total: latest.availableTotal });
      setConflict(undefined);
      setFailure(undefined);
    } catch (error) {
      setFailure(toApiError(error));
    } finally {
      setReloading(false);
    }
  };

  const save = async () => {
    if (!view || !draft || saving) return;
    // A tag typed but not yet added is saved with the others, if it may be.
    const pending = tagDraft.trim();
    const problem = problemWithList(draft.tags) ?? (pending ? problemAdding(draft.tags, tagDraft, true) : undefined);
    if (problem) {
      setFieldErrors((errors) => ({ ...errors, tags: problem }));
      tagInputRef.current?.focus();
      return;
    }
    const tags = pending ? [...draft.tags, pending] : draft.tags;
    if (pending) {
      setDraft({ ...draft, tags });
      setTagDraft('');
    }
    setSaving(true);
    setFailure(undefined);
    setConflict(undefined);
    try {
      const saved = await api.saveUserSms(enterpriseId, userId, view.userEtag, { enabled: draft.enabled, numbers: draft.numbers.map((n) => n.number), tags });
      onSaved(saved);
    } catch (error) {
      const apiError = toApiError(error);
      const byField: Partial<Record<Section, string>> = {};
      for (const issue of apiError.details) {
        const section = sectionOf(issue.path);
        if (section) byField[section] = byField[section] ? `${byField[section]} ${issue.message}` : issue.message;
      }
      setFieldErrors(byField);
      if (apiError.status === 409 || apiError.status === 412) setConflict(apiError);
      else setFailure(apiError);
    } finally {
      setSaving(false);
    }
  };

  const shownAvailable = view && draft ? availableFor(available.items, view.numbers, draft, search) : [];
  const dirty = view && draft ? isDirty(view, draft) : false;
  const length = lengthHint(tagDraft);
  const count = draft ? countHint(draft.tags) : { text: '', full: false };
  const liveTagProblem = draft ? (tagProblem ?? problemAdding(draft.tags, tagDraft)) : undefined;

  return (
    <Dialog open modalType="modal" onOpenChange={(_, data) => !data.open && !saving && onClose()}>
      <DialogSurface className={styles.surface} aria-describedby={undefined}>
        <DialogBody>
          <DialogTitle>SMS User Configuration: {label}</DialogTitle>
          <DialogContent className={styles.content}>
            {loadError && <ErrorBar error={loadError} title="Couldn't load the SMS configuration" />}
            {!view && !loadError && (
              <Skeleton aria-label="Loading the SMS configuration" className={styles.skeleton}>
                <SkeletonItem size={24} />
                <SkeletonItem size={128} />
                <SkeletonItem size={32} />
              </Skeleton>
            )}
            {view && draft && (
              <>
                <Caption1 className={styles.note}>{view.username}</Caption1>
                {view.warning && (
                  <MessageBar intent="warning">
                    <MessageBarBody>{view.warning}</MessageBarBody>
                  </MessageBar>
                )}
                {conflict && (
                  <MessageBar intent="warning" layout="multiline" politeness="assertive">
                    <MessageBarBody>
                      <MessageBarTitle>Not saved: someone else changed this user</MessageBarTitle>
                      {conflict.message} Your edits are still here.
                    </MessageBarBody>
                    <MessageBarActions>
                      <Button onClick={reloadLatest} disabled={reloading}>
                        {reloading ? 'Reloading…' : 'Reload, keep my edits'}
                      </Button>
                    </MessageBarActions>
                  </MessageBar>
                )}
                {failure && <ErrorBar error={failure} title="Not saved" issues={failure.details.filter((issue) => !sectionOf(issue.path))} />}

                <Field validationMessage={fieldErrors.enabled} validationState={fieldErrors.enabled ? 'error' : 'none'}>
                  <Checkbox label="Enable SMS Service" checked={draft.enabled} onChange={(_, data) => edit({ ...draft, enabled: data.checked === true }, 'enabled')} />
                </Field>

                <section aria-label="Assign numbers">
                  <div className={styles.lists}>
                    <div className={styles.listBox} role="group" aria-labelledby="sms-available-title">
                      <h3 id="sms-available-title" className={styles.listTitle}>
                        Available Numbers (DIDs)
                      </h3>
                      <SearchBox size="small" placeholder="Search numbers" aria-label="Search available numbers" value={search} onChange={(_, data) => setSearch(data.value)} />
                      <div className={styles.scroll}>
                        {shownAvailable.length === 0 && <span className={styles.empty}>{search ? 'No free number matches.' : 'No free SMS numbers. Add numbers on the Numbers page.'}</span>}
                        {shownAvailable.map((n) => (
                          <Checkbox
                            key={n.number}
                            checked={pickedAvailable.has(n.number)}
                            onChange={(_, data) => setPickedAvailable((picked) => toggled(picked, n.number, data.checked === true))}
                            label={
                              <>
                                {n.display}
                                {n.label && <span className={styles.numberLabel}>{n.label}</span>}
                              </>
                            }
                          />
                        ))}
                      </div>
                      <Caption1 className={styles.note}>
                        {available.total > available.items.length ? `Showing ${available.items.length} of ${available.total.toLocaleString()}: search to narrow.` : `${available.total.toLocaleString()} free`}
                      </Caption1>
                    </div>
                    <div className={styles.moves}>
                      <Button
                        icon={<ChevronRightRegular />}
                        iconPosition="after"
                        disabled={pickedAvailable.size === 0}
                        onClick={() => {
                          edit(addNumbers(draft, shownAvailable, pickedAvailable), 'numbers');
                          setPickedAvailable(new Set());
                        }}
                      >
                        Add
                      </Button>
                      <Button
                        icon={<ChevronLeftRegular />}
                        disabled={pickedAssigned.size === 0}
                        onClick={() => {
                          edit(removeNumbers(draft, pickedAssigned), 'numbers');
                          setPickedAssigned(new Set());
                        }}
                      >
                        Remove
                      </Button>
                      <Button
                        icon={<ChevronDoubleLeftRegular />}
                        disabled={draft.numbers.length === 0}
                        onClick={() => {
                          edit({ ...draft, numbers: [] }, 'numbers');
                          setPickedAssigned(new Set());
                        }}
                      >
                        Remove all
                      </Button>
                    </div>
                    <div className={mergeClasses(styles.listBox, fieldErrors.numbers && styles.listBoxError)} role="group" aria-labelledby="sms-assigned-title">
                      <h3 id="sms-assigned-title" className={styles.listTitle}>
                        Assigned Numbers (DIDs)
                      </h3>
                      <div className={styles.scroll}>
                        {draft.numbers.length === 0 && <span className={styles.empty}>No number assigned.</span>}
                        {draft.numbers.map((n) => (
                          <Checkbox
                            key={n.number}
                            checked={pickedAssigned.has(n.number)}
                            onChange={(_, data) => setPickedAssigned((picked) => toggled(picked, n.number, data.checked === true))}
                            label={n.display}
                          />
                        ))}
                      </div>
                      {fieldErrors.numbers && (
                        <Caption1 role="alert" className={styles.error}>
                          {fieldErrors.numbers}
                        </Caption1>
                      )}
                    </div>
                  </div>
                </section>

                <Field
                  label={`Tags (${count.text})`}
                  validationMessage={fieldErrors.tags ?? liveTagProblem}
                  validationState={fieldErrors.tags || liveTagProblem ? 'error' : 'none'}
                  hint={`Up to 5 tags of at most 20 characters each.`}
                >
                  <div className={styles.tagRow}>
                    <Input
                      ref={tagInputRef}
                      className={styles.tagInput}
                      value={tagDraft}
                      placeholder={count.full ? 'Remove a tag to add another' : 'New tag'}
                      onChange={(_, data) => {
                        setTagDraft(data.value);
                        setTagProblem(undefined);
                        setFieldErrors((errors) => ({ ...errors, tags: undefined }));
                      }}
                      onKeyDown={onTagKey}
                      aria-label="New tag"
                      contentAfter={<span className={length.over ? styles.over : undefined}>{length.text}</span>}
                    />
                    <Button icon={<AddRegular />} onClick={addTag} disabled={tagDraft.trim() === ''}>
                      Add tag
                    </Button>
                  </div>
                </Field>
                {draft.tags.length > 0 && (
                  <TagGroup
                    aria-label="Tags of this user"
                    onDismiss={(_, data) => edit({ ...draft, tags: draft.tags.filter((tag) => tag !== data.value) }, 'tags')}
                  >
                    {draft.tags.map((tag) => (
                      <Tag key={tag} value={tag} dismissible dismissIcon={{ 'aria-label': `Remove tag ${tag}` }} shape="circular" size="small">
                        {tag}
                      </Tag>
                    ))}
                  </TagGroup>
                )}
              </>
            )}
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose} disabled={saving}>
              Cancel
            </Button>
            <Button appearance="primary" onClick={save} disabled={!view || (!dirty && tagDraft.trim() === '') || saving} icon={saving ? <Spinner size="tiny" /> : undefined}>
              {saving ? 'Saving…' : 'Save'}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

function toggled(set: ReadonlySet<string>, value: string, on: boolean): Set<string> {
  const next = new Set(set);
  if (on) next.add(value);
  else next.delete(value);
  return next;
}
