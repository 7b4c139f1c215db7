import { useState } from 'preact/hooks';

/** A destructive action behind a second click that says what follows (and a way back). */
export function ConfirmAction(props: {
  label: string;
  question: string;
  confirm: string;
  cancel: string;
  busy?: boolean;
  testId: string;
  onConfirm: () => Promise<unknown>;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" class="wb-link" data-testid={props.testId} onClick={() => setAsking(true)}>
        {props.label}
      </button>
    );
  }
  return (
    <span role="alertdialog" aria-label={props.label} class="wb-confirm" data-testid={`${props.testId}-confirm`}>
      {props.question}{' '}
      <button type="button" class="wb-danger" disabled={props.busy} onClick={() => void props.onConfirm().then(() => setAsking(false))}>
        {props.confirm}
      </button>{' '}
      <button type="button" onClick={() => setAsking(false)}>
        {props.cancel}
      </button>
    </span>
  );
}
