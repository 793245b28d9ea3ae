/**
 * Example operations: the explorer's saved tabs, and the README's examples (a test runs them all, so
 * they stay valid as the schema changes).
 */
export const EXAMPLE_OPERATIONS: { name: string; query: string; variables?: string }[] = [
  {
    name: 'Latest articles',
    query: `# The newest articles with their foundations and the companies they mention.
query LatestArticles {
  articles(first: 10) {
    totalCount
    nodes {
      title
      url
      publishedAt
      feed { title }
      foundations { slug }
      companies { name }
    }
  }
}
`,
  },
  {
    name: 'Security news of CNCF Platinum members',
    query: `# Articles of the last 30 days mentioning CNCF Platinum members, with the word "security".
query PlatinumSecurity($since: DateTime!) {
  articles(
    filter: { memberOf: { foundation: "cncf", tiers: ["Platinum"] }, search: "security", publishedAfter: $since }
    orderBy: { field: RELEVANCE }
  ) {
    totalCount
    nodes {
      title
      publishedAt
      companies { name }
      snippet { text marks { start end } }
    }
  }
}
`,
    variables: JSON.stringify({ since: '2026-10-27T00:00:00Z' }, null, 2),
  },
  {
    name: 'Articles per foundation per week',
    query: `# How many articles per foundation per week since January.
query WeeklyByFoundation {
  articleTimeline(interval: WEEK, by: FOUNDATION, from: "2026-01-01T00:00:00Z", to: "2026-12-01T00:00:00Z", first: 5) {
    foundation { slug }
    total
    points { start count }
  }
}
`,
  },
  {
    name: 'Most mentioned companies this month',
    query: `# Which companies are mentioned most this month.
query TopCompanies {
  articleCounts(by: COMPANY, filter: { publishedAfter: "2026-11-01T00:00:00Z" }, first: 10) {
    company { name }
    count
  }
}
`,
  },
  {
    name: 'PyTorch Foundation members',
    query: `# The PyTorch Foundation's members, each with its source.
query PyTorchMembers {
  foundation(slug: "pytorch-foundation") {
    name
    memberships(first: 20) {
      nodes { company { name } tier joinedOn statedOn source }
    }
  }
}
`,
  },
  {
    name: 'New articles, live',
    query: `# New articles as they arrive (runs until stopped).
subscription NewArticles {
  articleAdded(filter: { foundations: ["cncf"] }) {
    title
    url
    publishedAt
    companies { name }
  }
}
`,
  },
];
