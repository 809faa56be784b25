import type { Metadata } from "next";
import Link from "next/link";
import { socialProviders } from "@gatehouse/contract";
import { RedirectUrisForm } from "#components/redirect-uris-form";
import { SignInMethodsForm } from "#components/sign-in-methods-form";
import { SocialProviderForm } from "#components/social-provider-form";
import { TenantDangerZone } from "#components/tenant-actions";
import { TenantForm } from "#components/tenant-form";
import { Badge, Card, DefinitionList, Notice, PageHeader, Time } from "#components/ui";
import { loadSocialProviders, loadTenant } from "#lib/server/api";
import { signInMethodLabels, signInMethodNames } from "#lib/sign-in-methods";
import { defaultScopesText, isDefaultScopes, socialProviderWords } from "#lib/social-providers";
import { requireStaff } from "#lib/server/staff";
import { staffTimeZone } from "#lib/server/time-zone";

type Params = Promise<{ key: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const tenant = await loadTenant((await params).key);
  return { title: `${tenant.name} (tenant)` };
}

export default async function TenantPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const tenant = await loadTenant((await params).key);
  const { created } = await searchParams;
  const staff = await requireStaff();
  const timeZone = await staffTimeZone();
  const deleted = tenant.deletedAt !== null;
  const base = `/backoffice/tenants/${tenant.key}`;
  // A deleted tenant's settings are not readable (the API answers 404 until it is restored).
  const social = deleted ? null : await loadSocialProviders(tenant.key);

  return (
    <>
      <PageHeader
        title={
          <>
            {tenant.name} {deleted ? <Badge tone="danger">Deleted</Badge> : null}
          </>
        }
        description={
          <>
            Key <span className="mono">{tenant.key}</span> · created <Time iso={tenant.createdAt} timeZone={timeZone} />
          </>
        }
        breadcrumbs={[{ href: "/backoffice/tenants", label: "Tenants" }]}
        actions={
          deleted ? null : (
            <>
              <Link href={`${base}/users`} className="btn btn-secondary">
                Users
              </Link>
              {/* The demo product page is another app, not part of BackOffice: a plain link. */}
              <a href={`/demo/${tenant.key}`} className="btn btn-secondary">
                Demo page
              </a>
              {staff.isAdmin ? (
                <Link href={`${base}/managers/new`} className="btn btn-primary">
                  Issue manager
                </Link>
              ) : null}
            </>
          )
        }
      />
      {created === "1" ? <Notice tone="success">Tenant created. Next, issue a manager for it.</Notice> : null}
      {deleted ? (
        <Notice tone="warning">
          This tenant was deleted <Time iso={tenant.deletedAt} timeZone={timeZone} />. Its users cannot sign in and all their sessions were
          ended. {staff.isAdmin ? "Restore it to let them sign in again (they will have to sign in anew)." : ""}
        </Notice>
      ) : null}

      <Card id="settings" title="Settings">
        {staff.isAdmin && !deleted ? (
          <TenantForm
            mode="edit"
            initial={{
              key: tenant.key,
              name: tenant.name,
              locale: tenant.locale,
              appUrl: tenant.appUrl ?? "",
              allowedEmailDomains: tenant.allowedEmailDomains,
              phoneCountries: tenant.phoneCountries,
            }}
          />
        ) : (
          <DefinitionList
            items={[
              { term: "Name", value: tenant.name },
              { term: "Key", value: <span className="mono">{tenant.key}</span> },
              { term: "Email language", value: tenant.locale === "ko" ? "Korean (ko)" : "English (en)" },
              { term: "App URL", value: tenant.appUrl ?? <span className="muted">None</span> },
              {
                term: "Allowed email domains",
                value:
                  tenant.allowedEmailDomains.length === 0 ? (
                    <span className="muted">Any domain (the list is empty)</span>
                  ) : (
                    <ul className="chips chips-static">
                      {tenant.allowedEmailDomains.map((domain) => (
                        <li key={domain} className="chip">
                          {domain}
                        </li>
                      ))}
                    </ul>
                  ),
              },
              {
                term: "Phone number countries",
                value:
                  tenant.phoneCountries.length === 0 ? (
                    <span className="muted">Any country, numbers written with + only (the list is empty)</span>
                  ) : (
                    <ul className="chips chips-static">
                      {tenant.phoneCountries.map((code, index) => (
                        <li key={code} className="chip">
                          {code}
                          {index === 0 ? " (national numbers)" : ""}
                        </li>
                      ))}
                    </ul>
                  ),
              },
            ]}
          />
        )}
      </Card>

      <Card id="sign-in-methods" title="Sign-in methods">
        {staff.isAdmin && !deleted ? (
          <SignInMethodsForm
            tenantKey={tenant.key}
            initial={{ passwordSignUp: tenant.passwordSignUp, emailCodeSignIn: tenant.emailCodeSignIn }}
          />
        ) : (
          <DefinitionList
            items={signInMethodNames.map((name) => ({
              term: signInMethodLabels[name].label,
              value: tenant[name] ? <Badge tone="success">On</Badge> : <Badge>Off</Badge>,
            }))}
          />
        )}
      </Card>

      <Card id="redirect-uris" title="Redirect URIs">
        {staff.isAdmin && !deleted ? (
          <RedirectUrisForm tenantKey={tenant.key} initial={tenant.redirectUris} />
        ) : tenant.redirectUris.length === 0 ? (
          <p className="muted">None: social sign-in cannot return to any app until one is added.</p>
        ) : (
          <ul className="plain-list mono">
            {tenant.redirectUris.map((uri) => (
              <li key={uri}>{uri}</li>
            ))}
          </ul>
        )}
      </Card>

      <Card id="social-sign-in" title="Social sign-in">
        {social === null ? (
          <p className="muted">Restore the tenant to see or change its social sign-in settings.</p>
        ) : (
          <>
            <p className="muted">
              Let users sign in with Google, Kakao or Naver. Create an app at each provider, register the callback URL shown, and enter its
              credentials here. Client secrets are stored encrypted and are never shown again.
            </p>
            {socialProviders.map((provider) => {
              const current = social.providers.find((p) => p.provider === provider);
              const words = socialProviderWords[provider];
              return staff.isAdmin ? (
                <SocialProviderForm
                  key={provider}
                  tenantKey={tenant.key}
                  provider={provider}
                  current={current}
                  callbackUrl={social.callbackUrls[provider]}
                />
              ) : (
                <section key={provider} className="social-provider" aria-labelledby={`social-${provider}`}>
                  <div className="social-provider-header">
                    <h3 id={`social-${provider}`}>{words.name}</h3>
                  </div>
                  <DefinitionList
                    items={
                      current
                        ? [
                            { term: "Status", value: current.enabled ? <Badge tone="success">Enabled</Badge> : <Badge>Disabled</Badge> },
                            { term: words.clientIdLabel, value: <span className="mono">{current.clientId}</span> },
                            { term: "Client secret", value: current.hasClientSecret ? "Stored" : <span className="muted">None</span> },
                            {
                              term: "Native app client IDs",
                              value:
                                current.nativeClientIds.length > 0 ? (
                                  <span className="mono">{current.nativeClientIds.join(", ")}</span>
                                ) : (
                                  <span className="muted">None</span>
                                ),
                            },
                            {
                              term: "Scopes",
                              value: isDefaultScopes(provider, current.scopes) ? (
                                <span>
                                  <span className="mono">{defaultScopesText(provider)}</span> <span className="muted">(default)</span>
                                </span>
                              ) : (
                                <span className="mono">{current.scopes.join(" ")}</span>
                              ),
                            },
                            { term: "Callback URL", value: <span className="mono">{social.callbackUrls[provider]}</span> },
                          ]
                        : [{ term: "Status", value: <Badge>Not set up</Badge> }]
                    }
                  />
                </section>
              );
            })}
          </>
        )}
      </Card>

      {staff.isAdmin ? <TenantDangerZone tenantKey={tenant.key} tenantName={tenant.name} deleted={deleted} /> : null}
    </>
  );
}
