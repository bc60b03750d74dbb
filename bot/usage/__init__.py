"""Usage figures for the team: answers, fallbacks, votes, unanswered questions, cases."""
