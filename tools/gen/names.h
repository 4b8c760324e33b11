// Fixed word lists for ctxgraph-gen: people's names, job titles and tags.
//
// These are the only English words the generator writes into props. The
// vocabulary (vocabulary.h) never produces one of them, so counts of
// vocabulary words in text are exact. Tags contain no ';' (the CSV array
// separator) and no characters that need JSON or CSV escaping.
#ifndef CTXGRAPH_TOOLS_GEN_NAMES_H_
#define CTXGRAPH_TOOLS_GEN_NAMES_H_

#include <array>
#include <string_view>

namespace ctxgraph::gen {

inline constexpr std::array<std::string_view, 40> kFirstNames = {
    "Alice", "Bob",    "Carol", "Dave",   "Erin",  "Farid", "Grace", "Hiro",   "Ines",  "Jonas",
    "Keiko", "Liam",   "Maya",  "Nadia",  "Omar",  "Priya", "Quinn", "Rosa",   "Sven",  "Tara",
    "Umar",  "Vera",   "Wes",   "Ximena", "Amara", "Bruno", "Chloe", "Dmitri", "Elena", "Felix",
    "Gita",  "Hannah", "Ivan",  "Julia",  "Kofi",  "Lena",  "Marco", "Noor",   "Oscar", "Paula"};

inline constexpr std::array<std::string_view, 40> kLastNames = {
    "Moreau", "Okafor", "Tan",      "Lindqvist", "Schmidt", "Haddad", "Kim",     "Sato",
    "Garcia", "Berg",   "Nakamura", "Walsh",     "Patel",   "Rahman", "Farouk",  "Iyer",
    "Murphy", "Silva",  "Olsen",    "Reddy",     "Kaya",    "Novak",  "Brennan", "Ortega",
    "Mensah", "Costa",  "Dubois",   "Volkov",    "Petrova", "Weber",  "Sharma",  "Cohen",
    "Horvat", "Rossi",  "Asante",   "Fischer",   "Bianchi", "Hassan", "Larsen",  "Keller"};

inline constexpr std::array<std::string_view, 16> kJobTitles = {
    "Staff Engineer",      "Software Engineer",
    "Engineering Manager", "Product Manager",
    "Data Scientist",      "Designer",
    "Finance Director",    "Accountant",
    "Recruiter",           "Legal Counsel",
    "Support Specialist",  "Sales Executive",
    "Security Analyst",    "Site Reliability Engineer",
    "Program Manager",     "Technical Writer"};

inline constexpr std::array<std::string_view, 32> kTags = {
    "roadmap",   "incident",   "hiring",     "budget",    "security", "compliance", "launch",
    "retro",     "oncall",     "design",     "customer",  "pricing",  "legal",      "infra",
    "migration", "postmortem", "okr",        "vendor",    "research", "onboarding", "privacy",
    "release",   "quarterly",  "audit",      "analytics", "partner",  "support",    "billing",
    "mobile",    "platform",   "experiment", "policy"};

}  // namespace ctxgraph::gen

#endif  // CTXGRAPH_TOOLS_GEN_NAMES_H_
