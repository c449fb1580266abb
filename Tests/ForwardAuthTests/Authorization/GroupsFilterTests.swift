import Testing

@testable import ForwardAuth
@testable import ForwardAuthConfiguration

@Suite("Groups filter")
struct GroupsFilterTests {
    let groups = ["team-a", "team-b", "xteam-c", "admins", "Team-D"]

    @Test func unsetKeepsEveryGroup() {
        #expect(GroupsFilter.keepAll.apply(groups) == groups)
    }

    @Test func aPatternMustMatchTheWholeName() throws {
        #expect(try GroupsFilter(pattern: "team-.*").apply(groups) == ["team-a", "team-b"])
        #expect(try GroupsFilter(pattern: "(?i)team-[a-d]").apply(groups) == ["team-a", "team-b", "Team-D"])
        #expect(try GroupsFilter(pattern: "admins|team-b").apply(groups) == ["team-b", "admins"])
    }

    @Test func autoKeepsTheGroupsThatListsName() {
        #expect(
            GroupsFilter.used(by: ["admins", "team-b", "unused"], rbac: nil).apply(groups) == ["team-b", "admins"])
    }

    @Test func autoFromAConfigurationNamesAllowedAndRuleGroups() throws {
        var configuration = Configuration.testing()
        configuration.allowedGroups = ["admins"]
        configuration.rules = [RuleDefinition(name: "a", rule: "PathPrefix(`/a`)", groups: ["team-a"])]
        configuration.groupsFilter = "auto"
        #expect(GroupsFilter(configuration, rbac: nil).apply(groups) == ["team-a", "admins"])
    }

    @Test func hundredsOfGroupsShrinkToTheUsedFew() {
        let many = (0..<600).map { "org-wide-distribution-list-\($0)" } + ["admins"]
        #expect(GroupsFilter.used(by: ["admins"], rbac: nil).apply(many) == ["admins"])
    }
}
