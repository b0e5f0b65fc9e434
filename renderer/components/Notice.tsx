import { useController } from '../state/use-app-state.js';

/** A command that failed ("Transfer failed: …"), until the agent dismisses it or acts again. */
export function Notice({ message }: { message: string | null }) {
  const controller = useController();
  return (
    <div role="alert" className={message ? 'notice' : 'notice-empty'}>
      {message && (
        <>
          <span>{message}</span>
          <button type="button" className="button quiet small" onClick={() => controller.dismissNotice()}>
            Dismiss
          </button>
        </>
      )}
    </div>
  );
}
