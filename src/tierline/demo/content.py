"""The words of the demo: customers, people, components and what goes wrong with them."""

TEAMS = [
    ("support-desk", "Support Desk", 1),
    ("support-specialists", "Support Specialists", 2),
    ("operations", "Operations", 3),
    ("platform", "Platform Engineering", 4),
    ("core", "Core Engineering", 5),
]

# email, name, role, teams
STAFF = [
    ("admin@tierline.example", "Ada Admin", "admin", []),
    ("alice@tierline.example", "Alice Moreau", "support_t1", ["support-desk"]),
    ("bruno@tierline.example", "Bruno Costa", "support_t1", ["support-desk"]),
    ("chloe@tierline.example", "Chloe Nakamura", "support_t2", ["support-specialists"]),
    ("deniz@tierline.example", "Deniz Yilmaz", "support_t2", ["support-specialists"]),
    ("emeka@tierline.example", "Emeka Obi", "operations_t3", ["operations"]),
    ("farah@tierline.example", "Farah Haddad", "engineer_t4", ["platform"]),
    ("gustav@tierline.example", "Gustav Lind", "engineer_t4", ["core"]),
    ("hana@tierline.example", "Hana Novak", "senior_engineer_t5", ["core", "platform"]),
]

COMPONENTS = [
    ("Authentication", "platform"),
    ("Billing", "core"),
    ("Public API", "platform"),
    ("Reporting", "core"),
    ("Integrations", "platform"),
    ("Mobile app", "core"),
    ("Data import", "platform"),
    ("Notifications", "core"),
]

# name, domain, importance, plan, ARR, renewal in days, open deal
ORGANIZATIONS = [
    ("Northwind Logistics", "northwind.example", "strategic", "enterprise", "840000", 34, "250000"),
    ("Acme Robotics", "acme.example", "strategic", "enterprise", "1200000", 190, "0"),
    ("Globex Health", "globex.example", "key", "enterprise", "410000", 75, "120000"),
    ("Initech Finance", "initech.example", "key", "business", "260000", 300, "0"),
    ("Umbrella Retail", "umbrella.example", "key", "business", "185000", 58, "40000"),
    ("Stark Components", "stark.example", "standard", "business", "96000", 210, "0"),
    ("Wayne Media", "wayne.example", "standard", "team", "42000", 16, "15000"),
    ("Tyrell Biotech", "tyrell.example", "key", "enterprise", "520000", 130, "0"),
    ("Soylent Foods", "soylent.example", "standard", "team", "18000", 95, "0"),
    ("Cyberdyne Labs", "cyberdyne.example", "standard", "team", "24000", 250, "8000"),
    ("Hooli Cloud", "hooli.example", "standard", "free", "0", 340, "30000"),
    ("Vandelay Imports", "vandelay.example", "standard", "team", "12000", 44, "0"),
]

PEOPLE = [
    [("Maya", "Patel"), ("Jonas", "Berg"), ("Lucia", "Romero"), ("Tom", "Okafor")],
    [("Sven", "Larsen"), ("Amara", "Diallo"), ("Kenji", "Sato")],
    [("Olivia", "Grant"), ("Marco", "Bianchi"), ("Priya", "Rao"), ("Ivan", "Petrov"), ("Zoe", "Martin")],
    [("Nora", "Fischer"), ("Leo", "Dubois"), ("Aisha", "Khan")],
]

TITLES = {
    "Authentication": [
        ("SSO login loops back to the sign-in page", "After signing in with our identity provider the browser returns to the login page. Started this morning for several users."),
        ("Password reset email never arrives", "Users request a reset link and nothing arrives, not even in spam."),
        ("Session expires after a few minutes", "People are logged out after 5-10 minutes although the timeout is set to 8 hours."),
        ("MFA codes rejected for some users", "Time-based codes are refused for users in the Singapore office."),
        ("SCIM provisioning creates duplicate users", "Every sync adds a second account for people whose email changed case."),
    ],
    "Billing": [
        ("Invoice shows wrong VAT rate", "The November invoice applies 19% instead of 20% VAT for our French entity."),
        ("Charged twice for the annual renewal", "Our card was charged twice on the renewal date; please refund one."),
        ("Cannot download invoices as PDF", "The download button spins forever on the billing page."),
        ("Seat count does not match active users", "We deactivated 40 users but are still billed for them."),
        ("Credit note missing after plan downgrade", "We downgraded mid-cycle and expected a credit note."),
    ],
    "Public API": [
        ("API returns 500 on /v2/orders with large filters", "Requests with more than 50 order ids fail with a 500 since yesterday."),
        ("Rate limit hit far below documented quota", "We get 429 responses at about 20 requests per second; the plan allows 100."),
        ("Webhook signatures fail to verify", "Our endpoint rejects every webhook since the key rotation."),
        ("Pagination skips records on the events endpoint", "Walking all pages returns fewer events than the count says."),
        ("Timeouts from the EU region", "p95 latency went from 200 ms to 9 s for calls from Frankfurt."),
    ],
    "Reporting": [
        ("Monthly revenue report totals are off", "The dashboard total differs from the CSV export by about 3%."),
        ("Scheduled report emails stopped", "Our weekly report has not been delivered for two weeks."),
        ("Export to CSV truncates at 10,000 rows", "Large exports stop at exactly 10,000 rows without a warning."),
        ("Charts show data in the wrong time zone", "Hourly charts are shifted by one hour since the DST change."),
        ("Dashboard very slow to load", "The main dashboard takes more than a minute to render for our account."),
    ],
    "Integrations": [
        ("Salesforce sync fails with INVALID_FIELD", "The nightly sync stops with INVALID_FIELD on Account.Region__c."),
        ("Slack notifications post to the wrong channel", "Alerts meant for #ops land in #general."),
        ("Jira integration duplicates comments", "Every comment appears twice in the linked Jira issue."),
        ("Zapier trigger not firing for new records", "The new-record trigger stopped firing on Tuesday."),
        ("Microsoft Teams connector disconnected", "The connector shows as disconnected after every restart."),
    ],
    "Mobile app": [
        ("iOS app crashes on launch after update", "Since version 5.2 the app closes immediately on iOS 17 devices."),
        ("Push notifications delayed by hours", "Android users get notifications three to four hours late."),
        ("Offline mode loses edits", "Changes made offline disappear when the device reconnects."),
        ("App store review: 'unusable since the redesign'", "One-star review mentioning that buttons are unreachable on small screens."),
        ("Barcode scanner does not focus", "The camera stays blurry on Pixel phones when scanning."),
    ],
    "Data import": [
        ("CSV import rejects valid dates", "Dates in DD.MM.YYYY format are rejected although the locale is German."),
        ("Import job stuck at 99%", "The import of 200k records has been at 99% for six hours."),
        ("Special characters garbled after import", "Umlauts and accents become question marks."),
        ("Duplicate detection misses obvious duplicates", "Records with the same email are imported twice."),
        ("Excel import ignores second sheet", "Only the first worksheet is imported."),
    ],
    "Notifications": [
        ("Email notifications land in spam", "Since last week our users find all notifications in spam."),
        ("Daily digest sent twice", "Everyone received the daily digest twice this morning."),
        ("Alert emails missing for critical events", "Critical threshold alerts were not emailed during the outage."),
        ("Unsubscribe link returns 404", "The unsubscribe link in notification emails leads to a 404 page."),
        ("SMS notifications not delivered in Brazil", "Brazilian numbers do not receive SMS alerts."),
    ],
}

CUSTOMER_REPLIES = [
    "We are on the latest version; it happens for about a third of our users.",
    "It happens for everyone in the EU office, not for the US team.",
    "Version 5.2.1. Started right after your maintenance window on Tuesday.",
    "Still happening this morning. This is blocking our month-end close.",
    "Attached more examples. It seems to happen only with larger accounts.",
    "Thanks, we tried that workaround but it did not help.",
]


def resolution_note(rng, issue) -> str:
    fixes = [
        "We found the cause and deployed a fix; please confirm it works for you.",
        "This was a configuration issue on our side, corrected now.",
        "A fix shipped in today's release. Thanks for your patience and the detailed report.",
        "We applied a workaround for your account while the permanent fix is scheduled.",
        "The root cause was a race condition in our job scheduler; the fix is live.",
    ]
    return rng.choice(fixes)
