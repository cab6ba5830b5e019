"""The test cast: one person in each position the access policy tells apart, as conftest fixtures of these names.

A walk over every surface takes the role as a parameter (`@pytest.mark.parametrize("role", CAST)`) and asks for the
person with `request.getfixturevalue(role)`, or takes them all at once from the `cast` fixture.
"""

CAST = (
    "dsl",  # designated safeguarding lead: every pupil, the health field group
    "leader",  # senior leader: every pupil, no health detail
    "staff",  # PRU staff at the pupil's centre
    "other_staff",  # PRU staff at the other centre
    "specialist",  # a specialist of a non-health agency, allocated to the pupil
    "health_specialist",  # a health (CAMHS) specialist: the health field group
    "family_worker",
    "outsider",  # a specialist allocated to no one
    "admin_user",  # the administrator: accounts, no case records
)
