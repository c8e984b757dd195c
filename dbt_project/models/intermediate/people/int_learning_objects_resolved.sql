{#- Every learning object the LMS delivered (the object of an xAPI statement, the learningContentId of a
    course activity) resolved to a learning item of the current catalogue, by one rule for both shapes:
    1. its url: object id = catalogue item url (trailing slash and case ignored);
    2. else the LMS's own course id, mapped by the planners' lms_course_items seed (many ids to one item;
       trimmed, case ignored), to an item of the current catalogue.
    item_uid is null where neither matches: int_learning_objects_unmatched lists those objects. -#}
with

statements as (

    select * from {{ ref('int_statements_actors_resolved') }}

),

course_activities as (

    select * from {{ ref('stg_lms__course_activities') }}

),

catalog_items as (

    select * from {{ ref('stg_lms__catalog_items') }}

),

lms_course_items as (

    select * from {{ ref('lms_course_items') }}

),

objects as (

    -- a voiding statement's object is the statement it voids, not a learning object
    select distinct object_id
    from statements
    where verb != 'voided'

    union

    select distinct object_id
    from course_activities

),

by_url as (

    select
        objects.object_id,
        catalog_items.item_uid

    from objects
    inner join catalog_items
        on lower(rtrim(objects.object_id, '/')) = lower(rtrim(catalog_items.item_url, '/'))

),

by_course_id as (

    select
        objects.object_id,
        catalog_items.item_uid

    from objects
    inner join lms_course_items
        on lower(trim(objects.object_id)) = lower(trim(lms_course_items.lms_course_id))
    inner join catalog_items
        on lms_course_items.item_uid = catalog_items.item_uid

),

resolved as (

    select
        objects.object_id,
        coalesce(by_url.item_uid, by_course_id.item_uid) as item_uid,
        case
            when by_url.item_uid is not null then 'catalogue_url'
            when by_course_id.item_uid is not null then 'lms_course_id'
        end as matched_by

    from objects
    left join by_url
        on objects.object_id = by_url.object_id
    left join by_course_id
        on objects.object_id = by_course_id.object_id

)

select * from resolved
