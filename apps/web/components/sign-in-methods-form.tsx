"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { signInMethodLabels, signInMethodNames, type SignInMethods } from "../lib/sign-in-methods";
import { useTRPC } from "../lib/trpc";
import { CheckboxField, FormError, SubmitButton } from "./form";
import { Notice } from "./ui";
import { useFormErrors } from "./use-form-errors";

/** The tenant's sign-in methods (CONTRACT v2), saved through backOffice.tenants.update. Admins only. */
export function SignInMethodsForm({ tenantKey, initial }: { tenantKey: string; initial: SignInMethods }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [values, setValues] = useState<SignInMethods>(initial);
  const [saved, setSaved] = useState<SignInMethods>(initial);
  const [savedMessage, setSavedMessage] = useState<string | null>(null);
  const { formError, showError, clearErrors } = useFormErrors();
  const update = useMutation(trpc.backOffice.tenants.update.mutationOptions());

  function set(name: keyof SignInMethods, checked: boolean) {
    setValues((current) => ({ ...current, [name]: checked }));
    setSavedMessage(null);
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    clearErrors();
    setSavedMessage(null);
    // Only what changed, so a save never overwrites a switch another admin just flipped.
    const changes: Partial<SignInMethods> = {};
    if (values.passwordSignUp !== saved.passwordSignUp) changes.passwordSignUp = values.passwordSignUp;
    if (values.emailCodeSignIn !== saved.emailCodeSignIn) changes.emailCodeSignIn = values.emailCodeSignIn;
    if (Object.keys(changes).length === 0) {
      setSavedMessage("Nothing to save: no switch was changed.");
      return;
    }
    try {
      const tenant = await update.mutateAsync({ key: tenantKey, ...changes });
      const next = { passwordSignUp: tenant.passwordSignUp, emailCodeSignIn: tenant.emailCodeSignIn };
      setValues(next);
      setSaved(next);
      setSavedMessage("Sign-in methods saved.");
      router.refresh();
    } catch (error) {
      showError(error);
    }
  }

  return (
    <form onSubmit={onSubmit} noValidate className="form" aria-label="Sign-in methods">
      <FormError message={formError} />
      {savedMessage ? <Notice tone="success">{savedMessage}</Notice> : null}
      {signInMethodNames.map((name) => (
        <CheckboxField
          key={name}
          asSwitch
          label={signInMethodLabels[name].label}
          hint={signInMethodLabels[name].hint}
          checked={values[name]}
          onChange={(checked) => set(name, checked)}
        />
      ))}
      {!values.passwordSignUp && !values.emailCodeSignIn ? (
        <Notice tone="warning">With both off, no one new can sign up: only users who already have a password can sign in.</Notice>
      ) : null}
      <div className="form-actions">
        <SubmitButton pending={update.isPending}>Save sign-in methods</SubmitButton>
      </div>
    </form>
  );
}
