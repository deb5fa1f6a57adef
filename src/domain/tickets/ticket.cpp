#include "domain/tickets/ticket.hpp"

#include "core/strings.hpp"

namespace maxis::tickets {

namespace {

template <class E>
std::optional<E> ParseFrom(const std::vector<Name>& names, std::string_view text) {
    std::string folded = core::FoldForMatch(core::Trim(text));
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (folded == core::FoldForMatch(names[i].value) || folded == core::FoldForMatch(names[i].french) ||
            (!names[i].former.empty() && folded == core::FoldForMatch(names[i].former))) {
            return static_cast<E>(i);
        }
    }
    return std::nullopt;
}

}  // namespace

const std::vector<Name>& StatusNames() {
    static const std::vector<Name> k = {{"open", "ouvert"},
                                        {"waiting_staff", "attente_équipe", "attente_staff"},
                                        {"waiting_member", "attente_membre"},
                                        {"resolved", "résolu"},
                                        {"closed", "fermé"}};
    return k;
}
const std::vector<Name>& CategoryNames() {
    static const std::vector<Name> k = {{"general", "général"},     {"billing", "facturation"},
                                        {"technical", "technique"}, {"bug", "bug"},
                                        {"account", "compte"},      {"suggestion", "suggestion"}};
    return k;
}
const std::vector<Name>& PriorityNames() {
    static const std::vector<Name> k = {
        {"critical", "critique"}, {"high", "haute"}, {"medium", "moyenne"}, {"low", "basse"}};
    return k;
}

std::string_view ToString(Status s) { return StatusNames()[static_cast<std::size_t>(s)].value; }
std::string_view ToString(Category c) { return CategoryNames()[static_cast<std::size_t>(c)].value; }
std::string_view ToString(Priority p) { return PriorityNames()[static_cast<std::size_t>(p)].value; }
std::optional<Status> ParseStatus(std::string_view text) { return ParseFrom<Status>(StatusNames(), text); }
std::optional<Category> ParseCategory(std::string_view text) { return ParseFrom<Category>(CategoryNames(), text); }
std::optional<Priority> ParsePriority(std::string_view text) { return ParseFrom<Priority>(PriorityNames(), text); }

}  // namespace maxis::tickets
