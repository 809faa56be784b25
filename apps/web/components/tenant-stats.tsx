import { Card } from "#components/ui";

/**
 * CONTRACT v2 `backOffice.tenants.stats` on the tenant page: the four numbers an operator watches,
 * SMS above all (a sudden climb is what SMS pumping looks like).
 */
export interface TenantStatsNumbers {
  users: number;
  liveSessions: number;
  smsSentLast24h: number;
  codeMailsSentLast24h: number;
}

const figures: { name: keyof TenantStatsNumbers; label: string }[] = [
  { name: "users", label: "Users" },
  { name: "liveSessions", label: "Live sessions" },
  { name: "smsSentLast24h", label: "SMS sent, last 24 h" },
  { name: "codeMailsSentLast24h", label: "Code mails sent, last 24 h" },
];

export function TenantStatsCard({ stats }: { stats: TenantStatsNumbers }) {
  return (
    <Card id="activity" title="Activity">
      <dl className="stat-grid" data-testid="tenant-stats">
        {figures.map(({ name, label }) => (
          <div key={name} className="stat" data-stat={name}>
            <dt>{label}</dt>
            <dd>{stats[name].toLocaleString("en-US")}</dd>
          </div>
        ))}
      </dl>
      <p className="muted">
        Users not deleted; sessions neither ended nor expired; messages actually handed to the SMS gateway or the mail server, by the hour.
      </p>
    </Card>
  );
}
